# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import secrets
import weakref

from markupsafe import Markup

from trytond.i18n import gettext
from trytond.model import Index, ModelView, Workflow, fields
from trytond.modules.drop_bag.bag import token_hash
from trytond.modules.sms.phone import mask
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .document import Document
from .exceptions import OrderError

# the orders a customer signs: written up and confirmed
SIGNABLE = {'confirmed', 'processing', 'done'}
# the e-mail link's token of each bag, for the transaction that sends it
_email_tokens = weakref.WeakKeyDictionary()


class Bag(metaclass=PoolMeta):
    __name__ = 'drop.bag'

    orders = fields.One2Many('sale.sale', 'bag', "Orders", readonly=True)
    email_token_hash = fields.Char("E-mail Token Hash", readonly=True)
    customer_email = fields.Function(
        fields.Char("Customer E-mail"), 'get_customer_email')
    issue_confirmation = fields.Selection([
            (None, ""),
            ('code', "Code Sent to the Customer"),
            ('handwriting', "Customer's Signature on the Screen"),
            ], "Issue Confirmed By", readonly=True,
        help="How the customer confirmed taking the bag at the point; a "
        "signature on the screen is attached to the bag.")
    order = fields.Function(
        fields.Many2One('sale.sale', "Order"), 'get_order')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.email_token_hash, Index.Equality())))
        cls._transitions |= {
            ('received', 'processing'),
            ('processing', 'ready'),
            ('at_point', 'issued'),
            }
        cls._buttons.update({
                'write_up': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                'ready': {
                    'invisible': Eval('state') != 'processing',
                    'depends': ['state'],
                    },
                })

    def get_customer_email(self, name):
        "Where the e-mail notices go, when the customer gave an address"
        return self.customer.email if self.customer else None

    def get_order(self, name):
        "The bag's order that is not cancelled"
        for sale in self.orders:
            if sale.state != 'cancelled':
                return sale.id

    @classmethod
    @ModelView.button_action('drop_receipt.act_bag_order')
    def write_up(cls, bags):
        "Open the bag's order, made for its customer when it has none"
        pool = Pool()
        Address = pool.get('party.address')
        Sale = pool.get('sale.sale')
        # a customer known by the phone only: a blank invoice address
        Address.save([Address(party=p) for p in {b.customer for b in bags}
                if not p.addresses])
        sales = []
        new = []
        for bag in bags:
            if bag.state != 'received':
                raise OrderError(gettext(
                        'drop_receipt.msg_write_up_state', seal=bag.seal,
                        state=bag.state_string))
            if bag.order:
                sales.append(bag.order)
                continue
            sale = Sale(
                company=bag.company, party=bag.customer, bag=bag,
                drop_point=bag.drop_point,
                description=gettext(
                    'drop_receipt.msg_order_description', seal=bag.seal,
                    point=bag.drop_point.code))
            sale.on_change_party()
            new.append(sale)
            sales.append(sale)
        Sale.save(new)
        return {'res_id': [s.id for s in sales]}

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bags):
        "A cancelled bag's order, still being written up, is cancelled too"
        Sale = Pool().get('sale.sale')
        super().cancel(bags)
        Sale.cancel([b.order for b in bags
                if b.order and b.order.state in {'draft', 'quotation'}])

    @classmethod
    @Workflow.transition('processing')
    def process(cls, bags):
        "The factory works on the bags' orders"
        pass

    @classmethod
    def process_order(cls, bags):
        """The bags' orders are confirmed: the bags are processed and each
        customer gets one link to the receipt"""
        bags = [b for b in bags if b.state == 'received']
        cls.process(bags)
        cls.send_link(bags, 'drop_receipt.msg_sms_order')

    @classmethod
    def send_link(cls, bags, message_id):
        """Text each customer the message with a new link to the receipt,
        the previous link revoked"""
        Message = Pool().get('sms.message')
        messages = []
        for bag in bags:
            token = bag.new_receipt_token()
            messages.append(Message.prepare(
                    bag.phone, message_id,
                    language=bag.customer_language, origin=bag,
                    secrets={'url': bag.receipt_url(token)},
                    seal=bag.seal, point=bag.drop_point.name))
        cls.save(bags)
        Message.save(messages)

    @classmethod
    @ModelView.button
    @Workflow.transition('ready')
    def ready(cls, bags):
        "The factory finished the bags' orders: they may go back"
        pass

    @classmethod
    def arrive(cls, bags):
        "Back at the point: each customer is told where, when and what to pay"
        returning = [b for b in bags if b.state == 'returning']
        super().arrive(bags)
        cls.notify_at_point([b for b in returning if b.state == 'at_point'])

    @property
    def amount_due(self):
        "What the customer still has to pay for the bag's order"
        order = self.order
        if not order:
            return None
        Invoice = Pool().get('account.invoice')
        # a payment the gateway has not confirmed pays nothing yet
        with Transaction().set_context(with_payment=False):
            invoices = Invoice.browse(
                [i for i in order.invoices if i.state != 'cancelled'])
        if not invoices:
            return order.total_amount
        return sum(
            (0 if i.state == 'paid'
                else i.amount_to_pay if i.state == 'posted'
                else i.total_amount)
            for i in invoices)

    @property
    def refund_due(self):
        "What the gateways took for the bag's order beyond its price"
        Payment = Pool().get('account.payment')
        return sum(p.amount for p in Payment.search([
                    ('drop_bag', '=', self.id),
                    ('refund', '=', 'due'),
                    ]))

    @classmethod
    def notify_at_point(cls, bags):
        "One message per bag back at its point, in the customer's language"
        Message = Pool().get('sms.message')
        messages = []
        for bag in bags:
            message_id, values = bag.at_point_notice(bag.customer_language)
            messages.append(Message.prepare(
                    bag.phone, message_id, language=bag.customer_language,
                    origin=bag, **values))
        Message.save(messages)

    def at_point_notice(self, language):
        """The message telling the customer the bag is back at its point:
        its id and values, with the amount due in the language"""
        Lang = Pool().get('ir.lang')
        due = self.amount_due
        point = self.drop_point
        address = ', '.join(filter(None, (
                    line.strip() for line in (point.address.full_address
                        if point.address else '').splitlines())))
        values = dict(
            seal=self.seal,
            place=', '.join(filter(None, [point.name, address])),
            hours=' '.join((point.opening_hours or '').split()) or '—')
        if not due:
            return 'drop_receipt.msg_sms_at_point_paid', values
        values['amount'] = Lang.get(language).currency(
            due, self.order.currency, symbol=True, grouping=True)
        return 'drop_receipt.msg_sms_at_point', values

    def email_notice(self):
        """The text of the customer's e-mail about the bag as it is now, in
        the context's language; a link in it has a token of its own"""
        language = Transaction().language
        if self.state == 'at_point':
            message_id, values = self.at_point_notice(language)
            return gettext(message_id, **values)
        message_id = {
            'processing': 'drop_receipt.msg_sms_order',
            'issued': 'drop_receipt.msg_sms_issued',
            }.get(self.state)
        if not message_id:
            return ''
        # one e-mail renders once per language: one token for all
        tokens = _email_tokens.setdefault(Transaction(), {})
        if self.id not in tokens:
            tokens[self.id] = self.new_email_token()
        return gettext(
            message_id, url=self.receipt_url(tokens[self.id]),
            seal=self.seal, point=self.drop_point.name)

    def new_email_token(self):
        """Set a new token for the link of the customer's e-mails, revoking
        the previous one (the text message's link stays)"""
        token = secrets.token_urlsafe(24)
        self.__class__.write([self], {'email_token_hash': token_hash(token)})
        return token

    @classmethod
    def _receipt_token_domain(cls, digest):
        "The e-mails' links open the receipt too"
        return ['OR',
            super()._receipt_token_domain(digest),
            ('email_token_hash', '=', digest),
            ]

    @classmethod
    def revoke_receipt_tokens(cls, bags):
        super().revoke_receipt_tokens(bags)
        cls.write(bags, {'email_token_hash': None})

    @classmethod
    def hand_out(cls, bags, confirmation='code'):
        """The clerk gives the bags back to their customers, who confirmed by
        the confirmation: refused unless each is at its point and its order
        is paid"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        for bag in bags:
            if bag.state != 'at_point':
                raise OrderError(gettext(
                        'drop_receipt.msg_issue_state', seal=bag.seal,
                        state=bag.state_string))
            due = bag.amount_due
            if due:
                raise OrderError(gettext(
                        'drop_receipt.msg_issue_unpaid', seal=bag.seal,
                        amount=Lang.get().currency(
                            due, bag.order.currency, symbol=True,
                            grouping=True)))
        cls.write(bags, {'issue_confirmation': confirmation})
        cls.issue(bags)

    @classmethod
    @Workflow.transition('issued')
    def issue(cls, bags):
        "The customers took their bags: out of our custody, thanked"
        customer = cls.customer_location()
        cls.move_custody(
            bags, [b.custodian for b in bags], [customer] * len(bags))
        cls.close(bags)
        cls.send_link(bags, 'drop_receipt.msg_sms_issued')

    def receipt_values(self, portal):
        "The order's receipt: the document, its signature, what is due"
        pool = Pool()
        Configuration = pool.get('drop.receipt.configuration')
        values = super().receipt_values(portal)
        order = self.order
        if not order:
            return values
        with without_check_access():
            signature = order.signature
            values.update(
                order=order,
                document=Markup(Document(self, portal.language).html),
                due=self.amount_due, refund=self.refund_due,
                signature=signature,
                signed_at=portal.local(
                    signature.signed_at, self.company).strftime(
                    '%d.%m.%Y %H:%M') if signature else None,
                voided=not signature and bool(order.signatures),
                can_sign=(not signature and order.state in SIGNABLE),
                can_pay=bool(Configuration(1).online_journal),
                masked=mask(self.phone))
        # back from the gateway
        outcome = portal.request.args.get('payment')
        if outcome in {'succeeded', 'declined'}:
            values.update(
                notice=portal.gettext(
                    f'drop_receipt.msg_receipt_payment_{outcome}'),
                notice_class='ok' if outcome == 'succeeded' else 'bad')
        return values

    @property
    def receipt_template(self):
        if self.order:
            return 'drop_receipt/receipt.html'
        return super().receipt_template
