# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The one place where phone numbers are parsed.

    from trytond.modules.sms.phone import normalize, display, mask
    normalize('8 912 345-67-89', field="Phone")  # '+79123456789'
"""
import phonenumbers

from trytond.config import config
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import PhoneError


def default_region():
    "The country of the company in the context, else [sms] region"
    pool = Pool()
    Company = pool.get('company.company')
    company_id = Transaction().context.get('company')
    if company_id is not None and company_id >= 0:
        address = Company(company_id).party.address_get()
        if address and address.country:
            return address.country.code
    return config.get('sms', 'region', default='RU')


def normalize(value, field=None, region=None):
    """Return the number in E.164 (+79123456789).

    Raise PhoneError naming the field when it is not a possible number."""
    text = (value or '').strip()
    try:
        number = phonenumbers.parse(text, region or default_region())
    except phonenumbers.NumberParseException:
        number = None
    if (number is None
            or not text
            or any(c.isalpha() for c in text)
            or not phonenumbers.is_valid_number(number)):
        raise PhoneError(gettext(
                'sms.msg_phone_invalid', phone=value or '',
                field=field or gettext('sms.msg_phone_field')))
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164)


def display(phone):
    "+7 912 345-67-89"
    number = phonenumbers.parse(phone)
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask(phone):
    "+7 912 ***-**-89: enough to recognise, not to call"
    text = display(phone)
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    country = len(str(phonenumbers.parse(phone).country_code))
    hidden = set(digits[country + 3:-2])
    return ''.join('*' if i in hidden else c for i, c in enumerate(text))
