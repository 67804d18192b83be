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


class IntakeTestMixin:
    "A point with its clerk, and bags accepted there; for other modules too"

    def setUp(self):
        super().setUp()
        # many intakes for one phone within the hour, at once
        set_sms_options(codes_per_phone=100, resend_delay=0)
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


class DropBagTestCase(IntakeTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test Drop Bag module"
    module = 'drop_bag'

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
        self.assertEqual(bag.customer.rec_name, 'Customer +7 912 ***-**-89')
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
            for other in [
                    dict(seal='ZZ999999'), dict(phone='+79123456700'),
                    dict(count=4), dict(comment="Another coat")]:
                with self.assertRaisesRegex(BagError, "another bag"):
                    self.intake(
                        point, clerk, request_id='r1', verification=None,
                        **other)

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
        # another last character (not one the token may end with already)
        other = token[:-1] + ('x' if token[-1] != 'x' else 'y')
        self.assertIsNone(Bag.from_receipt_token(other))
        self.assertIsNone(Bag.from_receipt_token(''))
        Bag.revoke_receipt_tokens([bag])
        self.assertIsNone(Bag.from_receipt_token(token))

    @with_transaction()
    def test_reception_intact(self):
        "The factory finds the bag by a scanned seal and receives it"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Message = pool.get('sms.message')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk)
            found = Bag.check_reception(' ab-123456 ')
            self.assertEqual(found, bag)
            discrepancy = Bag.receive_checked(found, True, 3)
        self.assertIsNone(discrepancy)
        self.assertEqual(bag.state, 'received')
        self.assertEqual((bag.seal_intact, bag.counted_items), (True, 3))
        self.assertTrue(bag.received_at)
        self.assertFalse(bag.needs_attention)
        self.assertEqual(
            len(Message.search([('origin', '=', str(bag))])), 1)
        with set_company(company), self.assertRaisesRegex(
                BagError, 'is not waiting for reception'):
            Bag.check_reception('AB123456')

    @with_transaction()
    def test_reception_discrepancy(self):
        "A count mismatch or a broken seal needs attention; both are told"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Message = pool.get('sms.message')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk, count=3)
            other, _ = self.intake(
                point, clerk, seal='CD654321', verification=verified())
            discrepancy = Bag.receive_checked(
                bag, False, 2, note="Tape cut")
            Bag.receive_checked(other, True, 3)
            self.assertEqual(
                Bag.search([('needs_attention', '=', True)]), [bag])
            self.assertEqual(
                Bag.search([('needs_attention', '=', False)]), [other])
        self.assertEqual(bag.state, 'received')
        self.assertEqual(
            discrepancy.description,
            "the seal was not intact on arrival; "
            "2 items counted at the factory, 3 declared at the intake")
        self.assertTrue(bag.needs_attention)
        told = Message.search(
            [('origin', '=', str(bag))], order=[('id', 'ASC')])
        self.assertEqual(len(told), 2)
        self.assertIn('our manager will contact you', told[-1].text)
        self.assertNotIn('2 items', told[-1].text)

        discrepancy.resolution = "Customer confirms 2 items"
        discrepancy.save()
        discrepancy.__class__.resolve([discrepancy])
        self.assertFalse(Bag(bag.id).needs_attention)

    @with_transaction()
    def test_reception_bad_input(self):
        "An unknown seal or a bad count is refused and changes nothing"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk)
            with self.assertRaisesRegex(BagError, 'No bag waits'):
                Bag.check_reception('ZZ000000')
            with self.assertRaises(SealError):
                Bag.check_reception('  ')
            for count in [-1, None, 1000]:
                with self.assertRaisesRegex(BagError, 'counted items'):
                    Bag.receive_checked(bag, True, count)
        self.assertEqual(bag.state, 'accepted')
        self.assertIsNone(bag.received_at)

    @with_transaction()
    def test_cancel_tells_customer(self):
        "Cancelling an accepted bag sends the reason to the customer"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Message = pool.get('sms.message')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, token = self.intake(point, clerk)
            bag.cancel_reason = "The seal was damaged at the point"
            bag.save()
            Bag.cancel([bag])
        told = Message.search(
            [('origin', '=', str(bag))], order=[('id', 'ASC')])
        self.assertEqual(len(told), 2)
        self.assertIn('is cancelled: The seal was damaged', told[-1].text)
        self.assertEqual(Bag.from_receipt_token(token).state, 'cancelled')

    @with_transaction()
    def test_pickup_board(self):
        "The board counts each point's accepted bags and the oldest one"
        pool = Pool()
        Bag = pool.get('drop.bag')
        PickUp = pool.get('drop.bag.pickup')
        company, point, clerk = self.setup_point()
        with set_company(company):
            first, _ = self.intake(point, clerk, count=2)
            self.intake(
                point, clerk, seal='CD654321', count=5,
                verification=verified())
            received, _ = self.intake(
                point, clerk, seal='EF111111', verification=verified())
            Bag.receive_checked(received, True, 3)
            line, = PickUp.search([])
        self.assertEqual(line.drop_point, point)
        self.assertEqual((line.bags, line.items), (2, 7))
        self.assertEqual(line.waiting_since, first.accepted_at)

    @with_transaction()
    def test_search_by_seal_or_phone(self):
        "The back office finds a bag by a part of its seal or any phone form"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, _ = self.intake(point, clerk)
            for text in ['ab-1234', '8 (912) 345-67-89', '+79123456789']:
                self.assertEqual(
                    Bag.search([('rec_name', 'ilike', f'%{text}%')]), [bag],
                    msg=text)
            self.assertEqual(
                Bag.search([('rec_name', 'ilike', '%89161112233%')]), [])


del ModuleTestCase
