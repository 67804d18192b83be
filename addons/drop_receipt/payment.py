# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The customer pays the order online: an ``account.payment`` of what the
invoice still owes, taken by the gateway of the configured payment journal
(the sandbox's test cards, or Stripe) and cleared on the invoice when the
gateway says it succeeded."""
import hashlib
import hmac
import json
import logging
import urllib.parse
import uuid
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import OrderError

logger = logging.getLogger(__name__)

SANDBOX = 'drop_sandbox'


def sandbox_secret():
    """The key the sandbox gateway signs its notices with:
    [drop_receipt] sandbox_secret, else the database's own"""
    Secret = Pool().get('server.secret')
    return Secret.key('drop_receipt', 'sandbox_secret')


def sign(body):
    "The sandbox's signature of a notice's body (bytes)"
    return hmac.new(
        sandbox_secret().encode(), body, hashlib.sha256).hexdigest()


def post_invoices(invoices):
    """Post the invoices of an order paid from the portal or the receipt's
    link as root: the print that Tryton queues for each posted invoice runs
    as the user who posted it, and the portal's user may not read invoices"""
    Invoice = Pool().get('account.invoice')
    with Transaction().set_user(0):
        Invoice.post([i for i in invoices if i.state != 'posted'])


class Journal(metaclass=PoolMeta):
    __name__ = 'account.payment.journal'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = ('drop_sandbox', "Sandbox (Test Cards)")
        if selection not in cls.process_method.selection:
            cls.process_method.selection.append(selection)


class Payment(metaclass=PoolMeta):
    __name__ = 'account.payment'

    drop_bag = fields.Many2One(
        'drop.bag', "Bag", readonly=True, ondelete='RESTRICT',
        help="The bag whose order the customer paid by the receipt's link.")
    gateway_reference = fields.Char(
        "Gateway Reference", readonly=True, strip=False,
        help="The payment's reference at the online gateway.")
    point_collection = fields.Many2One(
        'drop.bag.collection', "Paid at the Point Instead", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': ~Eval('point_collection')},
        help="The payment at the point for which this online payment was "
        "cancelled at its gateway.")
    refund = fields.Selection([
            (None, ""),
            ('due', "To Make"),
            ('made', "Made"),
            ], "Refund", readonly=True,
        help="The gateway took this payment for an order already paid: its "
        "amount is to be given back to the customer. Failing the payment "
        "once refunded (a Stripe refund does it) marks the refund made.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('gateway_reference_unique', Unique(t, t.gateway_reference),
                'drop_receipt.msg_payment_reference_unique'),
            ]

    @classmethod
    def copy(cls, payments, default=None):
        default = default.copy() if default else {}
        default.setdefault('gateway_reference', None)
        default.setdefault('drop_bag', None)
        default.setdefault('point_collection', None)
        default.setdefault('refund', None)
        return super().copy(payments, default=default)

    @classmethod
    def online(cls, bag):
        """The online payment of what the bag's order still owes: the one
        already waiting for the gateway, else a new one"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Configuration = pool.get('drop.receipt.configuration')
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        # two taps on "Pay" start one payment
        Bag.lock([bag])
        bag = Bag(bag.id)
        if not bag.amount_due:
            raise OrderError(gettext(
                    'drop_receipt.msg_collection_paid', seal=bag.seal))
        journal = Configuration(1).online_journal
        if not journal:
            raise OrderError(gettext('drop_receipt.msg_online_not_configured'))
        invoices = [i for i in bag.order.invoices
            if i.state in {'draft', 'validated', 'posted'}]
        post_invoices(invoices)
        lines = [l for i in Invoice.browse(invoices) for l in i.lines_to_pay
            if not l.reconciliation]
        waiting = cls.search([
                ('drop_bag', '=', bag.id),
                ('line', 'in', [l.id for l in lines]),
                ('journal', '=', journal.id),
                ('state', '=', 'processing'),
                ], limit=1)
        if waiting:
            return waiting[0]
        line = next((l for l in lines if l.payment_amount), None)
        if not line:
            # what is left is with payments the gateway has not answered
            raise OrderError(gettext(
                    'drop_receipt.msg_online_pending', seal=bag.seal))
        payment = cls(
            company=bag.company, journal=journal, kind='receivable',
            party=line.party, line=line, amount=line.payment_amount,
            date=Date.today(),
            reference=gettext(
                'drop_receipt.msg_online_description', seal=bag.seal,
                number=bag.order.number or ''),
            drop_bag=bag, gateway_reference=uuid.uuid4().hex)
        payment.save()
        cls.submit([payment])
        if journal.process_method == SANDBOX:
            cls.process([payment])
        return payment

    def process_drop_sandbox(self):
        "The sandbox takes the card on its page, then sends its notice"
        pass

    @classmethod
    def cancel_in_progress(cls, lines):
        """Cancel at their gateways the payments of the lines still in
        progress, so that none takes money once the lines are paid another
        way; refused unless each gateway takes nothing more for certain.
        Return the payments cancelled."""
        payments = cls.search([
                ('line', 'in', [l.id for l in lines]),
                ('state', 'in', ['submitted', 'approved', 'processing']),
                ])
        # a gateway's notice of one of them waits, then finds it failed
        cls.lock(payments)
        for payment in payments:
            payment.cancel_at_gateway()
        cls.fail(payments)
        return payments

    def cancel_at_gateway(self):
        "Make sure the gateway takes no money for the payment, or refuse"
        cancel = getattr(self, f'_cancel_{self.process_method}', None)
        if self.state != 'processing' or not cancel:
            raise OrderError(gettext(
                    'drop_receipt.msg_payment_in_progress',
                    payment=self.rec_name))
        cancel()

    def _cancel_drop_sandbox(self):
        """The sandbox charges a payment only while it is processing, under
        its lock"""
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('succeeded')
    def succeed(cls, payments):
        "Money the gateway took for an order already paid is to be refunded"
        overpaid = [p for p in payments
            if p.drop_bag and p.line and p.line.reconciliation]
        super().succeed(payments)
        if overpaid:
            cls.write(overpaid, {'refund': 'due'})

    @classmethod
    @ModelView.button
    @Workflow.transition('failed')
    def fail(cls, payments):
        "A payment to refund that fails was given back"
        super().fail(payments)
        refunded = [p for p in payments if p.refund == 'due']
        if refunded:
            cls.write(refunded, {'refund': 'made'})

    def checkout_url(self, return_url):
        "Where the customer pays the payment at its gateway"
        method = self.journal.process_method
        if method == SANDBOX:
            database = Transaction().database.name
            return (f'/{database}/sandbox/{self.gateway_reference}?'
                + urllib.parse.urlencode({'return': return_url}))
        if method == 'stripe':
            # the intent first: Stripe's processing needs it
            self.__class__.stripe_checkout([self])
            if self.state != 'processing':
                self.__class__.process([self])
            return self.stripe_checkout_url
        raise OrderError(gettext('drop_receipt.msg_online_not_configured'))

    @classmethod
    def sandbox_payment(cls, reference):
        "The sandbox's payment of the reference, or None"
        if '\x00' in reference:
            # no reference holds one, and PostgreSQL refuses it in text
            return None
        payments = cls.search([
                ('gateway_reference', '=', reference),
                ('journal.process_method', '=', SANDBOX),
                ], limit=1)
        return payments[0] if payments else None

    @classmethod
    def sandbox_notice(cls, body, signature, charge=False):
        """The sandbox gateway's notice that a payment succeeded or was
        declined: a JSON body of reference, status, amount and currency,
        signed.  A notice received again changes nothing more; a success
        after a decline or a cancellation is money taken all the same.
        charge: the notice of the sandbox's own card form, which takes the
        money only of a payment still processing (not cancelled).

        Return 'ok', 'unknown' (no such payment), 'forged' (bad signature),
        'mismatch' (not the payment's amount or currency) or 'closed' (a
        charge of a payment no longer processing: nothing taken)."""
        # as bytes: a header may hold any Latin-1 character
        if not hmac.compare_digest(
                sign(body).encode(), (signature or '').encode()):
            return 'forged'
        try:
            notice = json.loads(body)
            reference = str(notice['reference'])
            status = str(notice['status'])
            amount = Decimal(str(notice['amount']))
            currency = str(notice['currency'])
        except (ValueError, KeyError, TypeError, ArithmeticError):
            return 'forged'
        payment = cls.sandbox_payment(reference)
        if not payment:
            return 'unknown'
        # a notice sent twice at once: the second waits, then sees it done
        cls.lock([payment])
        payment = cls(payment.id)
        # a NaN is no amount (and a signaling one refuses comparison)
        if (not amount.is_finite() or amount != payment.amount
                or currency != payment.currency.code):
            logger.warning(
                "sandbox notice for %s: %s %s is not %s %s", reference,
                amount, currency, payment.amount, payment.currency.code)
            return 'mismatch'
        if charge and payment.state != 'processing':
            return 'closed'
        # the money a gateway says it took is recorded, even after a
        # cancellation: a refund to make if the order was paid otherwise
        if status == 'succeeded':
            cls.succeed([payment])
        elif (status in {'declined', 'failed'}
                and payment.state == 'processing'):
            cls.fail([payment])
        return 'ok'
