# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 7: one-time codes, asked and typed over HTTP as the clerk (intake)
and the customer (signing the receipt) do.  A code works until the end of
its 10 minutes, for its phone and purpose only, 5 wrong codes lock it; the
database never holds a code, nor anything that decrypts to one once the
message is sent; the limits per phone and per sender answer 429."""
import datetime as dt
import time
import unittest

from trytond.modules.drop_point import demo

from .customers import Browser, code_of, new_orders
from .production import production_server
from .tools import add_clerks

CLERK = 'codes.clerk@demo.example'
BUSY_CLERK = 'codes.busy@demo.example'
# a clerk of another point
FOREIGN_CLERK = 'codes.foreign@demo.example'
FOREIGN_POINT = demo.POINTS[1][0]
# the phones of the tests: +7 912 707-xx-xx
FRESH, STALE, OTHER, SECOND, LOCKED, HASHED, LIMITED, BOUND = (
    f'+791270700{i:02d}' for i in range(1, 9))
SENDER_PHONES = [f'+791270710{i:02d}' for i in range(31)]
ADDRESS_PHONES = [f'+791270720{i:02d}' for i in range(29)]
# the customers who sign: +7 912 707-30-xx
PURPOSE, SIGN_LIMITED, SIGN_ADDRESS = (
    f'+791270730{i:02d}' for i in range(1, 4))
ADDRESS = 'ip,127.0.0.1'

# the code's clock moved: it was asked that long ago
AGED = '''UPDATE sms_verification SET
    create_date = (now() AT TIME ZONE 'UTC') - %s::interval,
    expires_at = (now() AT TIME ZONE 'UTC') - %s::interval + (
        expires_at - create_date)
    WHERE id = %s'''
# a minute passes for the phone's codes (the delay before a new code)
MINUTE_LATER = '''UPDATE sms_verification SET
    create_date = create_date - interval '61 seconds',
    expires_at = expires_at - interval '61 seconds'
    WHERE phone = %s'''
# an hour passes for the codes asked from an address
HOUR_LATER = '''UPDATE sms_verification SET
    create_date = create_date - interval '2 hours',
    expires_at = expires_at - interval '2 hours'
    WHERE sender = %s'''
# codes asked for other customers' signatures from the same address
ASKED = '''
Verification = pool.get('sms.verification')
for phone in phones:
    Verification.issue(phone, 'signature:0:0', sender)
'''
TEXT_TYPES = ('text', 'character varying', 'character', 'json', 'jsonb')
# every value in the database that looks like a Fernet token, decrypted
# with the key of the text messages' secrets
DECRYPTED = '''
from cryptography.fernet import InvalidToken
from trytond.modules.sms.message import _fernet
cursor = transaction.connection.cursor()
cursor.execute(
    "SELECT table_name, column_name, data_type "
    "FROM information_schema.columns WHERE table_schema = current_schema() "
    "AND data_type IN ('bytea', 'text', 'character varying')")
columns = cursor.fetchall()
fernet = _fernet()
result = {'values': 0, 'plain': []}
for table, column, kind in columns:
    quoted = f'"{column}"'
    value = quoted if kind != 'bytea' else f"encode({quoted}, 'escape')"
    cursor.execute(
        f'SELECT {value} FROM "{table}" WHERE {value} LIKE ' + "'gAAAAA%'")
    for text, in cursor:
        result['values'] += 1
        try:
            result['plain'].append(
                fernet.decrypt(text.encode()).decode(errors='replace'))
        except InvalidToken:
            pass
'''


class CodesTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = server = production_server()
        cls.clerk, cls.busy_clerk = add_clerks(server, [CLERK, BUSY_CLERK])
        cls.foreign_clerk, = add_clerks(
            server, [FOREIGN_CLERK], point=FOREIGN_POINT)
        cls.orders = dict(zip(
                [PURPOSE, SIGN_LIMITED, SIGN_ADDRESS],
                new_orders(server, [PURPOSE, SIGN_LIMITED, SIGN_ADDRESS])))

    def ask(self, phone, clerk=None):
        """The clerk asks a code for the phone: the answer, and the code
        once the queue sent it (None when refused)"""
        clerk = clerk or self.clerk
        after = len(self.server.outbox)
        status, page = clerk.post(
            f'/point/{clerk.point}/intake/code', phone=phone)
        code = None
        if status == 200:
            code = code_of(self.server.wait_message(phone, after))
        return status, page, code

    def verify(self, phone, code):
        return self.clerk.post(
            f'/point/{self.clerk.point}/intake/verify', phone=phone,
            code=code)

    def verification(self, phone, purpose='intake'):
        "The last code of the phone: id, state, wrong attempts"
        return self.server.sql(
            "SELECT id, state, attempts FROM sms_verification "
            "WHERE phone = %s AND purpose LIKE %s ORDER BY id DESC LIMIT 1",
            phone, purpose)[0]

    def test_code_bound_to_its_clerk(self):
        """Issue 16: a clerk of another point can neither verify nor lock
        (burn) the code a clerk asked for; the clerk still uses it"""
        status, _, code = self.ask(BOUND)
        self.assertEqual(status, 200)
        (point,), = self.server.sql(
            "SELECT id FROM drop_point WHERE code = %s", FOREIGN_POINT)
        wrong = f'{(int(code) + 1) % 10 ** 6:06d}'
        for typed in [wrong] * 5 + [code]:
            status, page = self.foreign_clerk.post(
                f'/point/{point}/intake/verify', phone=BOUND, code=typed)
            self.assertEqual(status, 400)
            self.assertNotIn('name="verification"', page)
        self.assertEqual(self.verification(BOUND)[1:], ('pending', 0))
        status, page = self.verify(BOUND, code)
        self.assertEqual(status, 200)
        self.assertIn('name="verification"', page)

    def test_code_lifetime(self):
        "A code is accepted at 9:59 of its life, refused at 10:01"
        codes = {}
        for phone in [FRESH, STALE]:
            status, _, codes[phone] = self.ask(phone)
            self.assertEqual(status, 200)
        fresh, _, _ = self.verification(FRESH)
        (life,), = self.server.sql(
            "SELECT expires_at - create_date FROM sms_verification "
            "WHERE id = %s", fresh)
        self.assertGreaterEqual(life, dt.timedelta(minutes=10))
        self.assertLess(life, dt.timedelta(minutes=10, seconds=1))

        self.server.sql(AGED, '9 min 59 s', '9 min 59 s', fresh,
            autocommit=True)
        status, page = self.verify(FRESH, codes[FRESH])
        self.assertEqual(status, 200)
        self.assertIn('name="verification"', page)
        (age,), = self.server.sql(
            "SELECT verified_at - create_date FROM sms_verification "
            "WHERE id = %s", fresh)
        # checked within the 60th second of its 10 minutes
        self.assertGreaterEqual(age, dt.timedelta(minutes=9, seconds=59))
        self.assertLess(age, dt.timedelta(minutes=10))

        stale, _, _ = self.verification(STALE)
        self.server.sql(AGED, '10 min 1 s', '10 min 1 s', stale,
            autocommit=True)
        status, page = self.verify(STALE, codes[STALE])
        self.assertEqual(status, 400)
        self.assertIn('The code has expired. Send a new code.', page)
        self.assertEqual(self.verification(STALE)[1], 'pending')

    def test_other_phone_or_purpose(self):
        "A code works for its phone and purpose only"
        _, _, code = self.ask(OTHER)
        status, page = self.verify(SECOND, code)
        self.assertEqual(status, 400)
        self.assertIn('No code is waiting for this phone', page)
        self.assertEqual(self.verification(OTHER)[1], 'pending')

        # the customer's code to sign the receipt, typed at the intake
        order = self.orders[PURPOSE]
        customer = Browser(self.server)
        customer.receipt(order.token)
        after = len(self.server.outbox)
        self.assertEqual(
            customer.post(f'/bag/{order.token}/sign').status, 200)
        sign_code = code_of(self.server.wait_message(PURPOSE, after))
        status, page = self.verify(PURPOSE, sign_code)
        self.assertEqual(status, 400)
        self.assertIn('No code is waiting for this phone', page)
        # the intake's code, typed to sign
        _, _, intake_code = self.ask(PURPOSE)
        if intake_code != sign_code:
            answer = customer.post(
                f'/bag/{order.token}/sign/confirm', {'code': intake_code})
            self.assertEqual(answer.status, 400)
            self.assertIn('Wrong code', answer.text)
        self.assertEqual(self.server.sql(
                "SELECT id FROM drop_receipt_signature WHERE bag = %s",
                order.bag), [])
        # each works for its own purpose
        status, _ = self.verify(OTHER, code)
        self.assertEqual(status, 200)
        status, _ = self.verify(PURPOSE, intake_code)
        self.assertEqual(status, 200)
        answer = customer.post(
            f'/bag/{order.token}/sign/confirm', {'code': sign_code})
        self.assertEqual(answer.status, 200)
        self.assertIn('id="signed"', answer.text)

    def test_five_wrong_codes_lock(self):
        "After 5 wrong codes even the right one is refused"
        _, _, code = self.ask(LOCKED)
        wrong = f'{(int(code) + 1) % 10 ** 6:06d}'
        for left in [4, 3, 2, 1, 0]:
            status, page = self.verify(LOCKED, wrong)
            self.assertEqual(status, 400)
            self.assertIn(f'Wrong code. Attempts left: {left}.', page)
        status, page = self.verify(LOCKED, code)
        self.assertEqual(status, 400)
        self.assertIn('Too many wrong codes. Send a new code.', page)
        _, state, attempts = self.verification(LOCKED)
        self.assertEqual((state, attempts), ('pending', 5))

    def wait_sent(self, verification):
        "The code's message as the queue left it: state, secret text"
        for _ in range(300):
            (state, secret), = self.server.sql(
                "SELECT m.state, m.secret_text FROM sms_message m "
                "JOIN sms_verification v ON v.message = m.id "
                "WHERE v.id = %s", verification)
            if state != 'queued':
                return state, secret
            time.sleep(0.1)
        self.fail("the code's message was not sent")

    def test_only_hashes_stored(self):
        """Once its message is sent, no table holds the code, nor anything
        that decrypts to it"""
        _, _, code = self.ask(HASHED)
        verification, _, _ = self.verification(HASHED)
        self.assertEqual(self.wait_sent(verification), ('sent', None))
        (code_hash,), = self.server.sql(
            "SELECT code_hash FROM sms_verification WHERE id = %s",
            verification)
        self.assertRegex(code_hash, r'^scrypt\$[0-9a-f]{32}\$[0-9a-f]{128}$')

        columns = self.server.sql(
            "SELECT table_name, column_name, data_type "
            "FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type = ANY(%s)", [*TEXT_TYPES, 'bytea'])
        self.assertGreater(len(columns), 100)
        tables = {}
        for table, column, kind in columns:
            if kind == 'bytea':
                found = f'position(%s::bytea in "{column}") > 0'
                tables.setdefault(table, []).append((found, code.encode()))
            else:
                # the digits alone, not within a longer number
                found = f'CAST("{column}" AS TEXT) ~ %s'
                tables.setdefault(table, []).append(
                    (found, f'(^|[^0-9]){code}([^0-9]|$)'))
        holding = []
        for table, checks in tables.items():
            (count,), = self.server.sql(
                f'SELECT COUNT(*) FROM "{table}" WHERE '
                + ' OR '.join(f for f, _ in checks), *(v for _, v in checks))
            if count:
                holding.append(table)
        self.assertEqual(holding, [])

        decrypted = self.server.script(DECRYPTED)
        self.assertFalse(
            [p for p in decrypted['plain'] if code in p], decrypted)

    def test_limit_per_phone(self):
        "A code a minute at most, 5 an hour, for a phone: 429 past them"
        status, _, _ = self.ask(LIMITED)
        self.assertEqual(status, 200)
        status, page, _ = self.ask(LIMITED)
        self.assertEqual(status, 429)
        self.assertIn('A code was just sent to this phone. Wait', page)
        for _ in range(4):
            self.server.sql(MINUTE_LATER, LIMITED, autocommit=True)
            status, _, _ = self.ask(LIMITED)
            self.assertEqual(status, 200)
        self.server.sql(MINUTE_LATER, LIMITED, autocommit=True)
        status, page, _ = self.ask(LIMITED)
        self.assertEqual(status, 429)
        self.assertIn(
            'Too many codes were sent to this phone in the last hour '
            '(at most 5)', page)

    def test_limit_per_sender(self):
        "30 codes an hour for a clerk: 429 past them"
        clerk = self.busy_clerk
        for phone in SENDER_PHONES[:30]:
            status, page = clerk.post(
                f'/point/{clerk.point}/intake/code', phone=phone)
            self.assertEqual(status, 200, page)
        status, page = clerk.post(
            f'/point/{clerk.point}/intake/code', phone=SENDER_PHONES[30])
        self.assertEqual(status, 429)
        self.assertIn(
            'Too many codes were requested from here in the last hour '
            '(at most 30)', page)

    def test_signing_limit_per_phone(self):
        "The receipt's code: a minute apart, 5 an hour, else 429"
        order = self.orders[SIGN_LIMITED]
        customer = Browser(self.server)
        customer.receipt(order.token)
        sign = f'/bag/{order.token}/sign'
        self.assertEqual(customer.post(sign).status, 200)
        answer = customer.post(sign)
        self.assertEqual(answer.status, 429)
        self.assertIn('A code was just sent to this phone. Wait', answer.text)
        for _ in range(4):
            self.server.sql(MINUTE_LATER, SIGN_LIMITED, autocommit=True)
            self.assertEqual(customer.post(sign).status, 200)
        self.server.sql(MINUTE_LATER, SIGN_LIMITED, autocommit=True)
        answer = customer.post(sign)
        self.assertEqual(answer.status, 429)
        self.assertIn(
            'Too many codes were sent to this phone in the last hour',
            answer.text)

    def test_signing_limit_per_address(self):
        "The receipt's codes: 30 an hour from an address, else 429"
        # an hour passed since the suite's earlier codes; then 29 other
        # customers' codes were asked from the same address
        self.server.sql(HOUR_LATER, ADDRESS, autocommit=True)
        self.addCleanup(
            self.server.sql, HOUR_LATER, ADDRESS, autocommit=True)
        self.server.script(ASKED, phones=ADDRESS_PHONES, sender=ADDRESS)
        order = self.orders[SIGN_ADDRESS]
        customer = Browser(self.server)
        customer.receipt(order.token)
        sign = f'/bag/{order.token}/sign'
        self.assertEqual(customer.post(sign).status, 200)
        self.server.sql(MINUTE_LATER, SIGN_ADDRESS, autocommit=True)
        answer = customer.post(sign)
        self.assertEqual(answer.status, 429)
        self.assertIn(
            'Too many codes were requested from here in the last hour '
            '(at most 30)', answer.text)
