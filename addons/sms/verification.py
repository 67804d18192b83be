# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import datetime as dt
import hashlib
import hmac
import math
import secrets
from collections import namedtuple

from sql.aggregate import Count
from sql.functions import CurrentTimestamp

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import CodeRateLimitError
from .phone import normalize

OK, WRONG, EXPIRED, LOCKED, UNKNOWN = (
    'ok', 'wrong', 'expired', 'locked', 'unknown')
Result = namedtuple('Result', ['status', 'verification', 'attempts_left'])


def _hash(code, salt=None):
    salt = salt or secrets.token_hex(16)
    digest = hashlib.scrypt(
        code.encode(), salt=bytes.fromhex(salt), n=2 ** 14, r=8, p=1)
    return f'scrypt${salt}${digest.hex()}'


def _matches(code, stored):
    _, salt, _ = stored.split('$')
    return hmac.compare_digest(_hash(code, salt), stored)


class Verification(ModelSQL, ModelView):
    __name__ = 'sms.verification'
    __string__ = "One-Time Code"

    phone = fields.Char("Phone", required=True, readonly=True)
    purpose = fields.Char(
        "Purpose", required=True, readonly=True,
        help="What the code confirms, such as intake or signature.")
    code_hash = fields.Char("Code Hash", required=True, readonly=True)
    sender = fields.Char(
        "Sender", readonly=True,
        help="Who asked for the code: a portal user or an IP address.")
    expires_at = fields.Timestamp("Expires At", required=True, readonly=True)
    attempts = fields.Integer("Wrong Attempts", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('verified', "Verified"),
            ('consumed', "Consumed"),
            ('replaced', "Replaced"),
            ], "State", required=True, readonly=True, sort=False)
    verified_at = fields.Timestamp("Verified At", readonly=True)
    consumed_at = fields.Timestamp("Consumed At", readonly=True)
    message = fields.Many2One('sms.message', "Message", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.phone, Index.Equality()),
                    (t.purpose, Index.Equality()),
                    (t.create_date, Index.Range())),
                Index(t,
                    (t.sender, Index.Equality()),
                    (t.create_date, Index.Range())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_attempts(cls):
        return 0

    @staticmethod
    def _now():
        return dt.datetime.now()

    @staticmethod
    def lifetime():
        return dt.timedelta(
            seconds=config.getint('sms', 'code_lifetime', default=600))

    @staticmethod
    def max_attempts():
        return config.getint('sms', 'code_attempts', default=5)

    @classmethod
    def issue(
            cls, phone, purpose, sender, language=None, origin=None,
            template='sms.msg_code_text'):
        """Send a new 6-digit code to the phone for the purpose and return
        its verification; the previous pending codes the sender asked for the
        phone and purpose stop working (another sender's stay its own).
        Raise CodeRateLimitError past the hourly limits."""
        pool = Pool()
        Message = pool.get('sms.message')
        phone = normalize(phone)
        cls.check_resend(phone, purpose)
        cls.check_rate(phone, sender)
        cls.write(cls.search([
                    ('phone', '=', phone), ('purpose', '=', purpose),
                    ('sender', '=', sender), ('state', '=', 'pending'),
                    ]), {'state': 'replaced'})
        code = f'{secrets.randbelow(10 ** 6):06d}'
        message = Message.prepare(
            phone, template, language=language, secrets={'code': code},
            minutes=int(cls.lifetime().total_seconds() // 60))
        verification = cls(
            phone=phone, purpose=purpose, sender=sender,
            code_hash=_hash(code), expires_at=cls._now() + cls.lifetime())
        verification.save()
        message.origin = origin or verification
        message.save()
        verification.message = message
        verification.save()
        return verification

    @staticmethod
    def resend_delay():
        return dt.timedelta(
            seconds=config.getint('sms', 'resend_delay', default=60))

    @classmethod
    def check_resend(cls, phone, purpose):
        "Refuse a new code while the last one is younger than the delay"
        delay = cls.resend_delay()
        if not delay:
            return
        now = cls._now()
        last = cls.search([
                ('phone', '=', phone), ('purpose', '=', purpose),
                ('create_date', '>', now - delay),
                ], order=[('create_date', 'DESC')], limit=1)
        if last:
            wait = delay - (now - last[0].create_date)
            raise CodeRateLimitError(gettext(
                    'sms.msg_code_resend_wait',
                    seconds=max(1, math.ceil(wait.total_seconds()))))

    @classmethod
    def check_rate(cls, phone, sender):
        hour_ago = cls._now() - dt.timedelta(hours=1)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for column, value, limit, message in [
                (table.phone, phone,
                    config.getint('sms', 'codes_per_phone', default=5),
                    'sms.msg_code_rate_phone'),
                (table.sender, sender,
                    config.getint('sms', 'codes_per_sender', default=30),
                    'sms.msg_code_rate_sender'),
                ]:
            if value is None:
                continue
            cursor.execute(*table.select(Count(),
                    where=(column == value)
                    & (table.create_date >= hour_ago)))
            count, = cursor.fetchone()
            if count >= limit:
                raise CodeRateLimitError(gettext(message, limit=limit))

    @classmethod
    def check(cls, phone, purpose, code, sender=None):
        """Check the code sent to the phone for the purpose; with a sender,
        only the code that sender asked for: another's is unknown to it,
        neither verified nor counted (a clerk of another point cannot use
        or burn it).

        Return a Result: ok (the verification is verified), wrong (with the
        attempts left), expired, locked (too many wrong attempts) or unknown
        (no pending code)."""
        phone = normalize(phone)
        domain = [
            ('phone', '=', phone), ('purpose', '=', purpose),
            ('state', '=', 'pending'),
            ]
        if sender is not None:
            domain.append(('sender', '=', sender))
        pending = cls.search(domain, limit=1)
        if not pending:
            return Result(UNKNOWN, None, 0)
        verification, = pending
        if verification.attempts >= cls.max_attempts():
            return Result(LOCKED, verification, 0)
        if cls._now() > verification.expires_at:
            return Result(EXPIRED, verification, 0)
        if not _matches((code or '').strip(), verification.code_hash):
            verification.attempts += 1
            verification.save()
            left = cls.max_attempts() - verification.attempts
            return Result(WRONG, verification, left)
        verification.state = 'verified'
        verification.verified_at = cls._now()
        verification.save()
        return Result(OK, verification, cls.max_attempts())

    @classmethod
    def consume(cls, verification, phone, purpose):
        """Use a verified code once for the phone and purpose.

        Return whether it could be used."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        now = cls._now()
        # one statement, so that two requests cannot both use it
        cursor.execute(*table.update(
                [table.state, table.consumed_at, table.write_date],
                ['consumed', now, CurrentTimestamp()],
                where=(table.id == verification.id)
                & (table.state == 'verified')
                & (table.phone == normalize(phone))
                & (table.purpose == purpose)))
        if cursor.rowcount != 1:
            return False
        # through the ORM too, so that cached records see it
        cls.write([verification], {'state': 'consumed', 'consumed_at': now})
        return True
