# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class PhoneError(ValidationError):
    pass


class CodeRateLimitError(UserError):
    "Too many codes asked: a web page answers 429"
    http_status = HTTPStatus.TOO_MANY_REQUESTS


class MessageError(UserError):
    pass


class SecretError(UserError):
    "The database has no secret: its modules were not set up"
    pass


class ProviderError(Exception):
    "The provider did not take the message"

    def __init__(self, answer, temporary=True):
        super().__init__(answer)
        self.answer = answer
        self.temporary = temporary
