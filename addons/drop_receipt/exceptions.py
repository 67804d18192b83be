# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class OrderError(UserError):
    pass


class SignatureAccessError(AccessError):
    pass
