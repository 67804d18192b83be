# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond import backend
from trytond.exceptions import UserError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.drop_point.tests.test_module import create_point
from trytond.modules.sms.tests.tools import (
    restore_sms_options, set_sms_options)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..bag import normalize_seal
from ..exceptions import BagError, SealError

PHONE = '+79123456789'


def verified(phone=PHONE, clerk=None):
    "A code sent to the phone and read back right"
    pool = Pool()
    Verification = pool.get('sms.verification')
    WebUser = pool.get('web.user')
    clerk = clerk or WebUser.search([('email', '=', 'clerk@example.com')])[0]
    verification = Verification.issue(
        phone, 'intake', f'web.user,{clerk.id}')
    code = verification.message.plain_text.split(': ')[1][:6]
    result = Verification.check(phone, 'intake', code)
    assert result.status == 'ok'
    return result.verification


class DropBagTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Drop Bag module"
    module = 'drop_bag'

    def setUp(self):
        super().setUp()
        # many intakes for one phone within the hour
        set_sms_options(codes_per_phone=100)
        self.addCleanup(restore_sms_options)

    def setup_point(self):
        pool = Pool()
        WebUser = pool.get('web.user')
        Staff = pool.get('drop.point.staff')
        company = create_company()
        with set_company(company):
            point = create_point('PVZ-01', "Pick-up point")
        clerk = WebUser(email='clerk@example.com')
        clerk.save()
        Staff.create([{'point': point.id, 'web_user': clerk.id}])
        return company, point, clerk

    def intake(self, point, clerk, seal='AB123456', count=3, **kwargs):
        Bag = Pool().get('drop.bag')
        kwargs.setdefault('verification', verified())
        kwargs.setdefault('phone', PHONE)
        return Bag.intake(
            point, clerk, kwargs.pop('phone'), kwargs.pop('verification'),
            seal, count, **kwargs)

    def test_normalize_seal(self):
        "Seals are compared without spaces and dashes, in upper case"
        for value in ['ab-123 456', ' AB123456 ', 'ab 12-34-56']:
            self.assertEqual(normalize_seal(value), 'AB123456')

    @with_transaction()
    def test_intake(self):
        "A verified phone, a seal and a count make an accepted bag"
        pool = Pool()
        Message = pool.get('sms.message')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, token = self.intake(
                point, clerk, seal='ab-123 456', phone='8 912 345 67 89',
                comment="Coat and scarf", request_id='r1')
        self.assertEqual(bag.state, 'accepted')
        self.assertEqual(bag.seal, 'AB123456')
        self.assertEqual(bag.phone, PHONE)
        self.assertEqual(bag.customer.rec_name, 'Customer +7 912 345-67-89')
        self.assertTrue(bag.accepted_at)
        self.assertEqual(bag.verification.state, 'consumed')
        message, = Message.search([('origin', '=', str(bag))])
        self.assertIn('AB123456', message.text)
        self.assertIn(f'/bag/{token}', message.plain_text)
        self.assertNotIn(token, message.text)
        self.assertGreaterEqual(len(token), 32)

    @with_transaction()
    def test_retried_intake(self):
        "The same request id gives the same bag and no second message"
        pool = Pool()
        Message = pool.get('sms.message')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk, request_id='r1')
            again, token = self.intake(
                point, clerk, request_id='r1', verification=None)
            self.assertEqual(again, bag)
            self.assertIsNone(token)
            self.assertEqual(
                len(Message.search([('origin', '=', str(bag))])), 1)
            with self.assertRaisesRegex(BagError, "another bag"):
                self.intake(
                    point, clerk, seal='ZZ999999', request_id='r1',
                    verification=None)

    @with_transaction()
    def test_one_customer_per_phone(self):
        "Five spellings of one phone give one customer"
        company, point, clerk = self.setup_point()
        customers = set()
        with set_company(company):
            for i, phone in enumerate([
                        '8 912 345-67-89', '+7 (912) 345 67 89',
                        '79123456789', '89123456789', '912 345 67 89']):
                bag, _ = self.intake(
                    point, clerk, seal=f'SEAL{i:04d}', phone=phone,
                    verification=verified())
                customers.add(bag.customer)
        self.assertEqual(len(customers), 1)

    @with_transaction()
    def test_bad_input(self):
        "Bad input is refused with a clear message and creates nothing"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            for kwargs, error, text in [
                    ({'count': 0}, BagError, "between 1 and 99"),
                    ({'count': 100}, BagError, "between 1 and 99"),
                    ({'seal': ''}, SealError, "Enter the seal"),
                    ({'seal': 'AB#1'}, SealError, 'seal "AB#1"'),
                    ({'verification': None}, BagError, "not confirmed"),
                    ({'verification': verified('+79120000000')}, BagError,
                        "not confirmed"),
                    ({'phone': 'call me'}, UserError, "customer's phone"),
                    ]:
                with self.subTest(kwargs=kwargs):
                    with self.assertRaisesRegex(error, text):
                        self.intake(point, clerk, **kwargs)
            self.assertEqual(Bag.search([]), [])

    @with_transaction()
    def test_seal_used_until_cancelled(self):
        "A seal in use is refused; once its bag is cancelled it is free"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk)
            with self.assertRaisesRegex(SealError, "already used"):
                self.intake(point, clerk, seal='ab-123456')
            with self.assertRaisesRegex(SealError, 'PVZ-01'):
                Bag.copy([bag])
            bag.cancel_reason = "Customer changed their mind"
            bag.save()
            Bag.cancel([bag])
            other, _ = self.intake(point, clerk)
        self.assertEqual(other.seal, bag.seal)

    @with_transaction()
    def test_seal_unique_in_database(self):
        "The database itself refuses a second live bag with the seal"
        pool = Pool()
        Bag = pool.get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk)
            table = Bag.__table__()
            cursor = Transaction().connection.cursor()
            with self.assertRaises(backend.DatabaseIntegrityError):
                cursor.execute(*table.insert(
                        [table.company, table.seal, table.drop_point,
                            table.customer, table.phone, table.item_count,
                            table.state],
                        [[company.id, bag.seal, point.id,
                            bag.customer.id, PHONE, 1, 'accepted']]))

    @with_transaction()
    def test_receipt_token(self):
        "The link's token finds its bag until it is revoked"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, token = self.intake(point, clerk)
        self.assertEqual(Bag.from_receipt_token(token), bag)
        self.assertIsNone(Bag.from_receipt_token(token[:-1] + 'x'))
        self.assertIsNone(Bag.from_receipt_token(''))
        Bag.revoke_receipt_tokens([bag])
        self.assertIsNone(Bag.from_receipt_token(token))


del ModuleTestCase
