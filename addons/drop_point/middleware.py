# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from werkzeug.exceptions import HTTPException


class HTTPErrors:
    """Answer the HTTP errors that trytond raises before dispatching a request
    (such as 403 for a foreign Origin) instead of letting them become 500.

    Enabled in the [wsgi middleware] section of the configuration."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except HTTPException as exception:
            return exception(environ, start_response)
