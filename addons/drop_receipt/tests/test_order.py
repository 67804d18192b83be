# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The order of a bag once its customer was sent the receipt, and the bag
cancelled at the factory, as the back office does it through the client."""
import unittest
from contextlib import contextmanager
from decimal import Decimal

from trytond.model.modelview import AccessButtonError
from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import set_company
from trytond.modules.drop_bag.tests import test_module as bag_tests
from trytond.modules.drop_handover.tests.test_module import HandoverTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import OrderError

PRICE = Decimal('1234.50')


@contextmanager
def refused_alone():
    """Expect an OrderError, and undo what the refused call did before it
    was refused, as the client's request would roll back"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT refused')
    try:
        with unittest.TestCase().assertRaises(OrderError) as caught:
            yield caught
    finally:
        cursor.execute('ROLLBACK TO SAVEPOINT refused')
        for cache in transaction.cache.values():
            cache.clear()


class OrderTestMixin(HandoverTestMixin):
    "Accounts, a priced service and the orders of bags received at the factory"

    def setup_shop(self):
        "The point, its clerk, the accounts, and a priced service"
        pool = Pool()
        Account = pool.get('account.account')
        Category = pool.get('product.category')
        Configuration = pool.get('drop.receipt.configuration')
        FiscalYear = pool.get('account.fiscalyear')
        Journal = pool.get('account.journal')
        Method = pool.get('account.invoice.payment.method')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        company, point, clerk = self.setup_point()
        with set_company(company):
            create_chart(company)
            fiscalyear = set_invoice_sequences(get_fiscalyear(company))
            fiscalyear.save()
            FiscalYear.create_period([fiscalyear])
            revenue, = Account.search([
                    ('type.revenue', '=', True), ('closed', '!=', True),
                    ], limit=1)
            cash, = Account.search([('code', '=', '1.1.1')])
            journal, = Journal.search([('code', '=', 'CASH')])
            category = Category(
                name="Services", accounting=True, account_revenue=revenue)
            category.save()
            unit, = Uom.search([('name', '=', 'Unit')])
            template, = Template.create([{
                        'name': "Dry cleaning of a coat", 'type': 'service',
                        'salable': True, 'default_uom': unit.id,
                        'sale_uom': unit.id, 'list_price': PRICE,
                        'account_category': category.id,
                        'products': [('create', [{}])],
                        }])
            method = Method(
                name="Cash", journal=journal, credit_account=cash,
                debit_account=cash)
            method.save()
            Configuration(1, cash_method=method).save()
        return company, point, clerk, template.products[0]

    def written_up(self, point, clerk, product, seal):
        """A bag taken in at the point and received at the factory, its
        order written up with one coat: the bag and its order"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Line = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        bag, _ = self.intake(
            point, clerk, seal=seal, count=1,
            verification=bag_tests.verified())
        Bag.receive_checked(bag, True, 1)
        sale = Sale(Bag.write_up([bag])['res_id'][0])
        line = Line(sale=sale, product=product, quantity=1, item_kind="Coat")
        line.on_change_product()
        line.save()
        return Bag(bag.id), sale

    def dispatcher(self, company):
        "The back office's user who also writes orders up"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        user = self.back_office(company)
        User.write([user], {'groups': [
                    ('add', [ModelData.get_id('sale', 'group_sale')])]})
        return user


class OrderTestCase(OrderTestMixin, ModuleTestCase):
    "Test the orders of bags as the back office changes them"
    module = 'drop_receipt'

    def assert_frozen(self, sale, user):
        """Every change the client may send to what the customer pays or
        signed is refused, naming the order; nothing changes"""
        pool = Pool()
        Line = pool.get('sale.line')
        LineTax = pool.get('sale.line-account.tax')
        Party = pool.get('party.party')
        Sale = pool.get('sale.sale')
        line, = sale.lines
        someone = Party(name="Someone else")
        someone.save()
        other = Sale(party=someone, company=sale.company)
        other.save()
        tax = self.tax()
        changes = {
            'unit price': lambda: Line.write([line], {
                    'unit_price': Decimal('1.00')}),
            'quantity': lambda: Line.write([line], {'quantity': 3}),
            'item': lambda: Line.write([line], {
                    'item_defects': "A button is missing"}),
            'description': lambda: Line.write([line], {
                    'description': "Nothing"}),
            'product': lambda: Line.write([line], {'product': None}),
            'type': lambda: Line.write([line], {'type': 'comment'}),
            'moved away': lambda: Line.write([line], {'sale': other.id}),
            'new line': lambda: Line.create([{
                        'sale': sale.id, 'type': 'line', 'quantity': 1,
                        'unit': line.unit.id, 'unit_price': Decimal('-500'),
                        'description': "Discount"}]),
            'new line through the order': lambda: Sale.write([sale], {
                    'lines': [('create', [{
                                    'type': 'line', 'quantity': 1,
                                    'unit': line.unit.id,
                                    'unit_price': Decimal('-500'),
                                    'description': "Discount"}])]}),
            'deleted line': lambda: Line.delete([line]),
            'tax': lambda: LineTax.create([{
                        'line': line.id, 'tax': tax.id}]),
            'total': lambda: Sale.write([sale], {
                    'total_amount_cache': Decimal('1.00')}),
            'customer': lambda: Sale.write([sale], {'party': someone.id}),
            }
        total = sale.total_amount
        for name, change in changes.items():
            with self.subTest(state=sale.state, change=name):
                with refused_alone() as caught, \
                        Transaction().set_user(user.id), \
                        Transaction().set_context(_check_access=True):
                    change()
                message = str(caught.exception)
                self.assertIn(f'Order "{sale.rec_name}"', message)
                self.assertIn(sale.bag.seal, message)
        sale = Sale(sale.id)
        line, = sale.lines
        self.assertEqual(
            (line.unit_price, line.quantity, line.item_defects, line.taxes),
            (PRICE, 1, None, ()))
        self.assertEqual(sale.total_amount, total)
        self.assertEqual(sale.total_amount, PRICE)

    def tax(self):
        "A tax the order's item does not have"
        pool = Pool()
        Account = pool.get('account.account')
        Tax = pool.get('account.tax')
        account, = Account.search([('code', '=', '6.3.6')])
        tax = Tax(
            name="VAT", description="VAT", type='percentage',
            rate=Decimal('0.2'), invoice_account=account,
            credit_note_account=account)
        tax.save()
        return tax

    @with_transaction()
    def test_order_sent_to_customer_is_frozen(self):
        """The back office cannot reprice, change or remove the items of an
        order once its customer was sent it: confirmed, processing, done"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Collection = pool.get('drop.bag.collection')
        Invoice = pool.get('account.invoice')
        Line = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        company, point, clerk, product = self.setup_shop()
        with set_company(company):
            user = self.dispatcher(company)
            bag, sale = self.written_up(point, clerk, product, 'COAT0001')
            # written up: the factory still changes what it likes
            line, = sale.lines
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                Line.write([line], {'item_defects': "A stain"})
                Line.write([line], {'item_defects': None})
                Sale.quote([sale])
                Sale.confirm([sale])
            self.assertEqual(Sale(sale.id).state, 'confirmed')
            self.assert_frozen(Sale(sale.id), user)

            Sale.process([sale])
            self.assertEqual(Sale(sale.id).state, 'processing')
            self.assert_frozen(Sale(sale.id), user)

            # paid at the point
            Collection.collect(Bag(bag.id), clerk, 'cash')
            Invoice.process(Sale(sale.id).invoices)
            Sale.process([sale])
            self.assertEqual(Sale(sale.id).state, 'done')
            self.assert_frozen(Sale(sale.id), user)

    @with_transaction()
    def test_cancel_at_the_factory(self):
        """The back office cancels a bag received at the factory: its order
        being written up is cancelled, the customer told, the link shows the
        bag cancelled; a bag whose order was confirmed is not cancelled"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Message = pool.get('sms.message')
        Sale = pool.get('sale.sale')
        company, point, clerk, product = self.setup_shop()
        with set_company(company):
            user = self.dispatcher(company)
            bag, sale = self.written_up(point, clerk, product, 'COAT0002')
            Sale.quote([sale])
            token = bag.new_receipt_token()
            bag.cancel_reason = "The coat's fabric cannot be cleaned"
            bag.save()
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                Bag.cancel([Bag(bag.id)])
            bag = Bag(bag.id)
            self.assertEqual(
                (bag.state, Sale(sale.id).state, bag.custodian),
                ('cancelled', 'cancelled', Bag.customer_location()))
            told, = Message.search([
                    ('origin', '=', str(bag)),
                    ('text', 'like', '%is cancelled%'),
                    ])
            self.assertIn("fabric cannot be cleaned", told.text)
            # the link shows the bag, cancelled, not the cancelled order
            self.assertEqual(Bag.from_receipt_token(token), bag)
            self.assertIsNone(bag.order)
            self.assertEqual(bag.receipt_template, 'drop_bag/receipt.html')

            # an order confirmed is the customer's: the bag is not cancelled
            other, sale = self.written_up(point, clerk, product, 'COAT0003')
            Sale.quote([sale])
            Sale.confirm([sale])
            self.assertEqual(Bag(other.id).state, 'processing')
            Bag.write([other], {'cancel_reason': "Too late"})
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True), \
                    self.assertRaises(AccessButtonError):
                Bag.cancel([Bag(other.id)])
            self.assertEqual(Bag(other.id).state, 'processing')


del ModuleTestCase
