# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from werkzeug.exceptions import HTTPException

from .portal import SECURITY_HEADERS


class HTTPErrors:
    """Answer the HTTP errors that trytond raises before dispatching a request
    (such as 403 for a foreign Origin) instead of letting them become 500,
    with the portal's security headers.

    Enabled in the [wsgi middleware] section of the configuration."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except HTTPException as exception:
            response = exception.get_response(environ)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response(environ, start_response)
