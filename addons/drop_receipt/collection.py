# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A payment the point collected for the company when it issued an order:
booked on the order's invoices (posted, paid and reconciled), and kept as a
line the partner's commission statement nets."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import OrderError
from .payment import post_invoices

METHODS = [
    ('cash', "Cash"),
    ('card', "Card Terminal"),
    ]


class Collection(ModelSQL, ModelView):
    "Payment collected at the point"
    __name__ = 'drop.bag.collection'
    __string__ = "Payment at the Point"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    bag = fields.Many2One(
        'drop.bag', "Bag", required=True, readonly=True, ondelete='RESTRICT')
    drop_point = fields.Many2One(
        'drop.point', "Drop Point", required=True, readonly=True,
        ondelete='RESTRICT')
    clerk = fields.Many2One('web.user', "Clerk", readonly=True)
    method = fields.Selection(METHODS, "Method", required=True, readonly=True)
    method_string = method.translated('method')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        readonly=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, readonly=True)
    moves = fields.Many2Many(
        'drop.bag.collection-account.move', 'collection', 'move', "Moves",
        readonly=True)
    request_id = fields.Char("Request", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('request_id_unique', Unique(t, t.request_id),
                'drop_receipt.msg_collection_request_unique'),
            ]
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def collect(cls, bag, clerk, method, request_id=None):
        """The clerk took the amount due for the bag's order: cancel the
        online payments in progress at their gateways, pay its invoices and
        return the collection; a request already made returns its
        collection"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Configuration = pool.get('drop.receipt.configuration')
        Payment = pool.get('account.payment')
        if request_id:
            done = cls.search([('request_id', '=', request_id)], limit=1)
            if done:
                return done[0]
        if method not in dict(METHODS):
            raise OrderError(gettext('drop_receipt.msg_collection_method'))
        # a second tap, or the customer's "Pay" on the link, waits here,
        # then sees it paid
        Bag.lock([bag])
        bag = Bag(bag.id)
        due = bag.amount_due
        if not due:
            raise OrderError(gettext(
                    'drop_receipt.msg_collection_paid', seal=bag.seal))
        payment_method = Configuration(1).payment_method(method)
        if not payment_method:
            raise OrderError(gettext(
                    'drop_receipt.msg_collection_not_configured'))
        invoices = cls._invoices(bag)
        cancelled = Payment.cancel_in_progress(
            [l for i in invoices for l in i.lines_to_pay
                if not l.reconciliation])
        collection = cls(
            company=bag.company, bag=bag, drop_point=bag.drop_point,
            clerk=clerk, method=method, amount=due,
            currency=bag.order.currency, request_id=request_id,
            moves=cls._pay(bag, invoices, payment_method))
        collection.save()
        Payment.write(cancelled, {'point_collection': collection.id})
        return collection

    @classmethod
    def _invoices(cls, bag):
        """The order's invoices, posted, with what their lines still owe
        whatever payments are on them"""
        Invoice = Pool().get('account.invoice')
        invoices = [i for i in bag.order.invoices
            if i.state in {'draft', 'validated', 'posted'}]
        post_invoices(invoices)
        with Transaction().set_context(with_payment=False):
            return Invoice.browse(invoices)

    @classmethod
    def _pay(cls, bag, invoices, payment_method):
        """Pay what the invoices owe with the payment method, reconciled:
        return the moves"""
        pool = Pool()
        Date = pool.get('ir.date')
        MoveLine = pool.get('account.move.line')
        today = Date.today()
        description = gettext(
            'drop_receipt.msg_collection_description',
            seal=bag.seal, point=bag.drop_point.code)
        moves = []
        for invoice in invoices:
            if not invoice.amount_to_pay:
                continue
            lines = invoice.pay_invoice(
                invoice.amount_to_pay, payment_method, today,
                description=description)
            moves.extend({l.move for l in lines})
            MoveLine.reconcile(
                [l for l in invoice.lines_to_pay if not l.reconciliation]
                + lines)
        return moves


class CollectionMove(ModelSQL):
    __name__ = 'drop.bag.collection-account.move'

    collection = fields.Many2One(
        'drop.bag.collection', "Collection", required=True,
        ondelete='CASCADE')
    move = fields.Many2One(
        'account.move', "Move", required=True, ondelete='RESTRICT')
