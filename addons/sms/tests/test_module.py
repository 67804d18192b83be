# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import base64
import datetime as dt
import hashlib
from unittest.mock import patch

from cryptography.fernet import Fernet, InvalidToken

from trytond import config
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import CodeRateLimitError, PhoneError, SecretError
from ..phone import display, mask, normalize
from ..verification import EXPIRED, LOCKED, OK, UNKNOWN, WRONG

MINUTE = dt.timedelta(minutes=1, seconds=1)

RUSSIAN_MOBILE = '+79123456789'


def sent_code(verification):
    "The code as the customer reads it in the message"
    return verification.message.plain_text.split(': ')[1][:6]


class SMSTestCase(CompanyTestMixin, ModuleTestCase):
    "Test SMS module"
    module = 'sms'

    @with_transaction()
    def test_phone_normalize(self):
        "Real-world spellings of a number give one E.164 number"
        for value, expected in [
                ('8 912 345-67-89', RUSSIAN_MOBILE),
                ('+7 (912) 345 67 89', RUSSIAN_MOBILE),
                ('79123456789', RUSSIAN_MOBILE),
                ('89123456789', RUSSIAN_MOBILE),
                ('912 345 67 89', RUSSIAN_MOBILE),
                ('+7-912-345-67-89', RUSSIAN_MOBILE),
                ('  8(912)3456789 ', RUSSIAN_MOBILE),
                ('+36 20 123 4567', '+36201234567'),
                ('+36 (1) 234-5678', '+3612345678'),
                ('+44 7911 123456', '+447911123456'),
                ('+44 20 7946 0958', '+442079460958'),
                ('8 (495) 123-45-67', '+74951234567'),
                ]:
            with self.subTest(value=value):
                self.assertEqual(normalize(value), expected)

    @with_transaction()
    def test_phone_refused(self):
        "Impossible numbers are refused with a message naming the field"
        for value in [
                '', 'garbage', '12345', '8 912 345', '+7 912 345 67 89 00',
                '8 9I2 345 67 89', 'call me', '+999 123 456 789',
                '0000000000']:
            with self.subTest(value=value):
                with self.assertRaisesRegex(PhoneError, "customer phone"):
                    normalize(value, field="customer phone")

    @with_transaction()
    def test_phone_region_of_company(self):
        "A national number is read in the company's country"
        pool = Pool()
        Country = pool.get('country.country')
        hungary = Country(name="Hungary", code='HU')
        hungary.save()
        company = create_company()
        address, = company.party.addresses
        address.country = hungary
        address.save()
        with set_company(company):
            self.assertEqual(normalize('06 20 123 4567'), '+36201234567')

    @with_transaction()
    def test_phone_display_and_mask(self):
        "Phones are shown in the international format, or masked"
        self.assertEqual(display(RUSSIAN_MOBILE), '+7 912 345-67-89')
        self.assertEqual(mask(RUSSIAN_MOBILE), '+7 912 ***-**-89')

    def issue(
            self, phone=RUSSIAN_MOBILE, purpose='intake', sender='ip:1',
            later=None):
        "Ask for a code, now or that much later"
        Verification = Pool().get('sms.verification')
        if later is None:
            return Verification.issue(phone, purpose, sender)
        # the records of a test share the transaction's create_date
        now = dt.datetime.now() + later
        with patch.object(Verification, '_now', return_value=now):
            return Verification.issue(phone, purpose, sender)

    def check(self, code, phone=RUSSIAN_MOBILE, purpose='intake'):
        Verification = Pool().get('sms.verification')
        return Verification.check(phone, purpose, code)

    @with_transaction()
    def test_code_right(self):
        "The right code verifies, once consumed it cannot be used again"
        Verification = Pool().get('sms.verification')
        verification = self.issue()
        code = sent_code(verification)
        self.assertRegex(code, r'^\d{6}$')
        self.assertEqual(verification.message.phone, RUSSIAN_MOBILE)

        result = self.check(code, phone='8 912 345 67 89')
        self.assertEqual(result.status, OK)
        self.assertEqual(result.verification, verification)
        self.assertTrue(Verification.consume(
                verification, RUSSIAN_MOBILE, 'intake'))
        self.assertFalse(Verification.consume(
                verification, RUSSIAN_MOBILE, 'intake'))
        self.assertEqual(self.check(code).status, UNKNOWN)

    @with_transaction()
    def test_code_wrong_then_locked(self):
        "Wrong codes count down; after 5 even the right code is refused"
        verification = self.issue()
        code = sent_code(verification)
        wrong = f'{(int(code) + 1) % 10 ** 6:06d}'
        for left in [4, 3, 2, 1, 0]:
            result = self.check(wrong)
            self.assertEqual((result.status, result.attempts_left),
                (WRONG, left))
        self.assertEqual(self.check(code).status, LOCKED)

    @with_transaction()
    def test_code_expires(self):
        "A code works until its 10 minutes are over"
        Verification = Pool().get('sms.verification')
        verification = self.issue()
        code = sent_code(verification)
        issued = verification.create_date
        with patch.object(Verification, '_now', staticmethod(
                    lambda: issued + dt.timedelta(minutes=10, seconds=1))):
            self.assertEqual(self.check(code).status, EXPIRED)
        with patch.object(Verification, '_now', staticmethod(
                    lambda: issued + dt.timedelta(minutes=9, seconds=59))):
            self.assertEqual(self.check(code).status, OK)

    @with_transaction()
    def test_code_other_phone_or_purpose(self):
        "A code proves only its own phone and purpose"
        verification = self.issue()
        code = sent_code(verification)
        self.assertEqual(
            self.check(code, phone='+79120000000').status, UNKNOWN)
        self.assertEqual(
            self.check(code, purpose='signature').status, UNKNOWN)
        self.assertEqual(self.check(code).status, OK)

    @with_transaction()
    def test_code_bound_to_sender(self):
        """A code checked for its sender is unknown to another: neither
        verified nor counted; another sender's new code leaves it be"""
        verification = self.issue(sender='web.user,1')
        code = sent_code(verification)
        Verification = Pool().get('sms.verification')
        wrong = f'{(int(code) + 1) % 10 ** 6:06d}'
        for typed in [wrong] * 5 + [code]:
            result = Verification.check(
                RUSSIAN_MOBILE, 'intake', typed, sender='web.user,2')
            self.assertEqual(result.status, UNKNOWN)
        other = self.issue(sender='web.user,2', later=MINUTE)
        self.assertEqual(other.state, 'pending')
        verification = Verification(verification.id)
        self.assertEqual(
            (verification.state, verification.attempts), ('pending', 0))
        result = Verification.check(
            RUSSIAN_MOBILE, 'intake', code, sender='web.user,1')
        self.assertEqual((result.status, result.verification),
            (OK, verification))

    @with_transaction()
    def test_code_reissue_replaces(self):
        "A new code for the same phone and purpose voids the previous one"
        first = self.issue()
        second = self.issue(later=MINUTE)
        self.assertEqual(first.state, 'replaced')
        old, new = sent_code(first), sent_code(second)
        if old != new:
            self.assertEqual(self.check(old).status, WRONG)
        self.assertEqual(self.check(new).status, OK)

    @with_transaction()
    def test_code_resend_delay(self):
        "A new code for the phone waits a minute after the last one"
        self.issue()
        with self.assertRaisesRegex(
                CodeRateLimitError, r"Wait 60 s before asking"):
            self.issue()
        with self.assertRaisesRegex(CodeRateLimitError, r"Wait 1 s"):
            self.issue(later=dt.timedelta(seconds=59, microseconds=500))
        self.issue(phone='+79990000003')
        self.issue(purpose='signature')
        second = self.issue(later=MINUTE)
        self.assertEqual(second.state, 'pending')

    @with_transaction()
    def test_code_rate_limits(self):
        "At most 5 codes a phone and 30 a sender within an hour"
        for i in range(5):
            self.issue(later=MINUTE * i)
        with self.assertRaisesRegex(CodeRateLimitError, "this phone"):
            self.issue(later=MINUTE * 5)
        for i in range(30):
            self.issue(phone=f'+7912000{i:04d}', sender='web.user,7')
        with self.assertRaisesRegex(CodeRateLimitError, "from here"):
            self.issue(phone='+79990000002', sender='web.user,7')
        self.issue(phone='+79990000002', sender='web.user,8')

    @with_transaction()
    def test_no_plain_code_in_database(self):
        "No table holds a code in plain text"
        verification = self.issue()
        code = sent_code(verification)
        self.assertNotIn(code, verification.message.text)
        cursor = Transaction().connection.cursor()
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('text', 'character varying', 'bytea', 'json', 'jsonb')")
        columns = cursor.fetchall()
        self.assertTrue(columns)
        for table, column in columns:
            cursor.execute(
                f'SELECT COUNT(*) FROM "{table}" '
                f'WHERE CAST("{column}" AS TEXT) LIKE %s', (f'%{code}%',))
            with self.subTest(table=table, column=column):
                self.assertEqual(cursor.fetchone()[0], 0)

    @with_transaction()
    def test_secret_not_from_database_name(self):
        """The key hiding a message's code is not the one a server without
        [sms] secret computed from the database's name"""
        verification = self.issue()
        code = sent_code(verification)
        seed = f'drop-points-sms:{Transaction().database.name}'
        guessed = Fernet(base64.urlsafe_b64encode(
                hashlib.sha256(seed.encode()).digest()))
        with self.assertRaises(InvalidToken):
            guessed.decrypt(bytes(verification.message.secret_text))
        self.assertIn(code, verification.message.plain_text)

    @with_transaction()
    def test_secret_drawn_per_database(self):
        """Each database draws a secret of its own at set-up; every process
        reads the same one; each purpose has its own key"""
        Secret = Pool().get('server.secret')
        secret, = Secret.search([])
        self.assertGreaterEqual(len(bytes(secret.value)) * 8, 256)
        key = Secret.key('sms', 'secret')
        self.assertEqual(len(base64.urlsafe_b64decode(key)), 32)
        self.assertNotEqual(key, Secret.key('drop_handover', 'secret'))
        # another process: nothing cached, the same key from the database
        Secret._secrets.clear()
        self.assertEqual(Secret.key('sms', 'secret'), key)

        # another database (this one set up again) draws another secret
        Secret.delete(Secret.search([]))
        Secret._secrets.clear()
        Secret._draw()
        self.assertNotEqual(Secret.key('sms', 'secret'), key)
        self.assertEqual(len(Secret.search([])), 1)
        # drawn once: setting up again keeps it
        other = Secret.key('sms', 'secret')
        Secret._draw()
        self.assertEqual(len(Secret.search([])), 1)
        self.assertEqual(Secret.key('sms', 'secret'), other)

    @with_transaction()
    def test_secret_configured_wins(self):
        "A key set in the configuration file is used as it is"
        Secret = Pool().get('server.secret')
        if not config.has_section('sms'):
            config.add_section('sms')
        key = Fernet.generate_key().decode()
        config.set('sms', 'secret', key)
        try:
            self.assertEqual(Secret.key('sms', 'secret'), key)
            verification = self.issue()
            self.assertIn(
                sent_code(verification),
                Fernet(key).decrypt(bytes(
                        verification.message.secret_text)).decode())
        finally:
            config.set('sms', 'secret', '')
        self.assertNotEqual(Secret.key('sms', 'secret'), key)

    @with_transaction()
    def test_secret_missing_refused(self):
        "Without its secret the database refuses to make keys, saying why"
        Secret = Pool().get('server.secret')
        Secret.delete(Secret.search([]))
        Secret._secrets.clear()
        with self.assertRaisesRegex(SecretError, r"trytond-admin"):
            Secret.key('sms', 'secret')

    @with_transaction()
    def test_secret_unreadable(self):
        """No user, not even the administrator, reads the secret through
        the client or any remote call"""
        pool = Pool()
        Secret = pool.get('server.secret')
        User = pool.get('res.user')
        secret, = Secret.search([])
        self.assertEqual(Secret.__rpc__, {})
        admin, = User.search([('login', '=', 'admin')])
        with Transaction().set_user(admin.id), \
                Transaction().set_context(_check_access=True):
            with self.assertRaises(AccessError):
                Secret.read([secret.id], ['key'])
            with self.assertRaises(AccessError):
                Secret.search([])


del ModuleTestCase
