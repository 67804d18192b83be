# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import datetime as dt
import hashlib
import re
import secrets

from sql import Literal
from sql.operators import Equal

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.drop_point.ir import RuleExportMixin
from trytond.modules.sms.exceptions import PhoneError
from trytond.modules.sms.phone import mask, normalize
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import BagError, SealError

STATES = [
    ('draft', "Draft"),
    ('accepted', "Accepted"),
    ('in_transit', "In Transit"),
    ('received', "Received"),
    ('processing', "Processing"),
    ('ready', "Ready"),
    ('returning', "Returning"),
    ('at_point', "At the Point"),
    ('issued', "Issued"),
    ('cancelled', "Cancelled"),
    ]
MAX_ITEMS = 99


def normalize_seal(seal):
    "Seals are read without spaces and dashes, in upper case"
    return re.sub(r'[\s\-]', '', seal or '').upper()


def parse_phone(text):
    "The E.164 form of a text that is a phone number, else None"
    if not text or sum(c.isdigit() for c in text) < 7:
        return None
    try:
        return normalize(text)
    except PhoneError:
        return None


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Bag(RuleExportMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'drop.bag'
    __string__ = "Bag"
    _rec_name = 'seal'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    seal = fields.Char(
        "Seal", required=True, states=_states,
        help="The number of the seal that closes the bag.")
    drop_point = fields.Many2One(
        'drop.point', "Drop Point", required=True, states=_states)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    phone = fields.Char(
        "Phone", required=True, states=_states,
        help="The customer's phone, confirmed by a one-time code.")
    verification = fields.Many2One(
        'sms.verification', "Phone Verification", readonly=True)
    phone_verified_at = fields.DateTime("Phone Verified At", readonly=True)
    item_count = fields.Integer(
        "Items", required=True, states=_states,
        domain=[('item_count', '>=', 1), ('item_count', '<=', MAX_ITEMS)])
    comment = fields.Text("Comment", states=_states)
    clerk = fields.Many2One(
        'web.user', "Clerk", readonly=True,
        help="The portal user who accepted the bag.")
    accepted_at = fields.DateTime("Accepted At", readonly=True)
    request_id = fields.Char(
        "Request ID", readonly=True,
        help="The client's id of the intake request: a retried request "
        "returns the same bag.")
    receipt_token_hash = fields.Char("Receipt Token Hash", readonly=True)
    closed_at = fields.DateTime(
        "Closed At", readonly=True,
        help="When the bag was issued to its customer or cancelled: its "
        "receipt's link stops working some days later.")
    cancel_reason = fields.Text(
        "Cancellation Reason",
        help="Why the bag is cancelled: written before Cancel, it is sent to "
        "the customer.")
    received_at = fields.DateTime("Received At", readonly=True)
    received_by = fields.Many2One(
        'res.user', "Received By", readonly=True,
        help="Who checked the bag at the factory.")
    seal_intact = fields.Boolean(
        "Seal Intact", readonly=True,
        states={'invisible': ~Eval('received_at')})
    counted_items = fields.Integer(
        "Counted Items", readonly=True,
        states={'invisible': ~Eval('received_at')},
        help="The items counted at the factory.")
    discrepancies = fields.One2Many(
        'drop.bag.discrepancy', 'bag', "Discrepancies", readonly=True)
    needs_attention = fields.Function(
        fields.Boolean("Needs Attention"),
        'get_needs_attention', searcher='search_needs_attention')
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('seal_exclude',
                Exclude(t, (t.company, Equal), (t.seal, Equal),
                    where=t.state != Literal('cancelled')),
                'drop_bag.msg_seal_used_constraint'),
            ('request_unique', Unique(t, t.clerk, t.request_id),
                'drop_bag.msg_request_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.receipt_token_hash, Index.Equality())),
                Index(t, (t.drop_point, Index.Range()),
                    (t.state, Index.Equality())),
                # the point's list of its last days' bags
                Index(t, (t.drop_point, Index.Range()),
                    (t.accepted_at, Index.Range())),
                Index(t, (t.phone, Index.Equality())),
                })
        cls._order = [('accepted_at', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'accepted'),
            ('accepted', 'received'),
            ('in_transit', 'received'),
            }
        cancellable = sorted(cls.cancellable_states())
        cls._transitions |= {(s, 'cancelled') for s in cancellable}
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(cancellable),
                    'depends': ['state'],
                    },
                })
        cls.cancel_reason.states = {
            'invisible': ~Eval('state').in_(cancellable + ['cancelled']),
            'readonly': Eval('state') == 'cancelled',
            'required': Eval('state') == 'cancelled',
            }

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def cancellable_states(cls):
        "The states of the bags the back office may cancel (before issued)"
        return {'draft', 'accepted', 'received'}

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_needs_attention(self, name):
        return any(d.state == 'open' for d in self.discrepancies)

    @classmethod
    def search_needs_attention(cls, name, clause):
        _, operator, value = clause
        where = 'where' if (operator == '=') == bool(value) else 'not where'
        return [('discrepancies', where, [('state', '=', 'open')])]

    @classmethod
    def search_rec_name(cls, name, clause):
        "Find bags by their seal or by the customer's phone"
        _, operator, value, *_ = clause
        domain = ['OR', ('seal', operator, value)]
        if isinstance(value, str):
            seal = normalize_seal(value.strip('%'))
            if seal:
                domain.append(('seal', 'ilike', f'%{seal}%'))
            phone = parse_phone(value.strip('%'))
            if phone:
                domain.append(('phone', '=', phone))
        return domain

    @fields.depends('seal')
    def on_change_seal(self):
        self.seal = normalize_seal(self.seal)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('seal'):
            values['seal'] = normalize_seal(values['seal'])
        return values

    @classmethod
    def validate_fields(cls, bags, field_names):
        super().validate_fields(bags, field_names)
        cls.check_seal(bags, field_names)

    @classmethod
    def check_seal(cls, bags, field_names=None):
        if field_names and 'seal' not in field_names:
            return
        for bag in bags:
            cls._check_seal_format(bag.seal)

    @staticmethod
    def _check_seal_format(seal):
        pattern = config.get(
            'drop_bag', 'seal_pattern', default=r'^[A-Z0-9]{6,12}$')
        if not re.match(pattern, seal):
            raise SealError(gettext('drop_bag.msg_seal_invalid', seal=seal))

    @classmethod
    def create(cls, vlist):
        cls._check_seals_free(vlist)
        return super().create(vlist)

    @classmethod
    def _check_seals_free(cls, vlist):
        """Name the bag that holds a seal before the database refuses it
        (its constraint only says that the seal is used)"""
        company = Transaction().context.get('company')
        for values in vlist:
            if values.get('state', 'draft') == 'cancelled':
                continue
            other = cls.seal_owner(
                values.get('company', company), values.get('seal'))
            if other:
                raise SealError(gettext(
                        'drop_bag.msg_seal_used', seal=other.seal,
                        point=other.drop_point.rec_name,
                        date=(other.accepted_at or other.create_date).date()))

    @classmethod
    def seal_owner(cls, company, seal):
        "Return the bag, not cancelled, that uses the seal"
        bags = cls.search([
                ('company', '=', company),
                ('seal', '=', normalize_seal(seal)),
                ('state', '!=', 'cancelled'),
                ], limit=1)
        return bags[0] if bags else None

    @classmethod
    def customer_for(cls, phone):
        """Return the party of the phone, created when unknown: named with
        the phone masked, as every page shows it (the receipt too), and
        found by the phone through its contact mechanism"""
        pool = Pool()
        Party = pool.get('party.party')
        parties = Party.search([
                ('contact_mechanisms', 'where', [
                        ('type', 'in', ['mobile', 'phone']),
                        ('value_compact', '=', phone),
                        ]),
                ], order=[('id', 'ASC')], limit=1)
        if parties:
            return parties[0]
        party = Party(
            name=gettext('drop_bag.msg_customer_name', phone=mask(phone)),
            contact_mechanisms=[{'type': 'mobile', 'value': phone}])
        party.save()
        return party

    @classmethod
    def intake(
            cls, drop_point, clerk, phone, verification, seal, item_count,
            comment=None, request_id=None):
        """Accept a sealed bag at the point for the verified phone.

        A request id already used by the clerk returns its bag, unchanged.
        Return the bag and the receipt token (None for a retried request)."""
        phone = normalize(phone, field=gettext('drop_bag.msg_phone_field'))
        seal = normalize_seal(seal)
        if request_id:
            done = cls.search([
                    ('clerk', '=', clerk), ('request_id', '=', request_id)])
            if done:
                return cls._retried(
                    done[0], drop_point, phone, seal, item_count,
                    comment), None
        cls._check_intake(drop_point, seal, item_count)
        cls._use_verification(verification, phone, clerk)
        bag = cls(
            company=drop_point.company, drop_point=drop_point, seal=seal,
            phone=phone, customer=cls.customer_for(phone),
            item_count=item_count, comment=comment or None, clerk=clerk,
            verification=verification,
            phone_verified_at=verification.verified_at,
            request_id=request_id)
        token = bag.new_receipt_token()
        bag.save()
        cls.accept([bag])
        bag.notify_accepted(token)
        return bag, token

    @staticmethod
    def code_sender(clerk):
        "Who asks for intake codes: the clerk's portal account"
        return f'web.user,{clerk.id}'

    @classmethod
    def _retried(cls, bag, drop_point, phone, seal, item_count, comment):
        if not bag.made_by_intake(
                drop_point, phone, seal, item_count, comment):
            raise BagError(gettext('drop_bag.msg_request_reused'))
        return bag

    def made_by_intake(self, drop_point, phone, seal, item_count, comment):
        """Whether an intake of these values made the bag: a request sent
        again, not its id reused with other content"""
        return (self.drop_point, self.phone, self.seal, self.item_count,
            self.comment or None) == (
            drop_point, parse_phone(phone), normalize_seal(seal),
            item_count, comment or None)

    @classmethod
    def _check_intake(cls, drop_point, seal, item_count):
        if not isinstance(item_count, int) or not (
                1 <= item_count <= MAX_ITEMS):
            raise BagError(gettext(
                    'drop_bag.msg_item_count_invalid', maximum=MAX_ITEMS))
        if not seal:
            raise SealError(gettext('drop_bag.msg_seal_missing'))
        cls._check_seal_format(seal)
        if cls.seal_owner(drop_point.company, seal):
            raise SealError(gettext('drop_bag.msg_seal_used_partner'))

    @classmethod
    def _use_verification(cls, verification, phone, clerk):
        Verification = Pool().get('sms.verification')
        if (not verification
                or verification.sender != cls.code_sender(clerk)
                or not Verification.consume(verification, phone, 'intake')):
            raise BagError(gettext('drop_bag.msg_phone_not_verified'))

    def receipt_url(self, token):
        base = config.get(
            'drop_bag', 'public_url', default='http://localhost:8000')
        return f'{base.rstrip("/")}/{Transaction().database.name}/bag/{token}'

    def notify_accepted(self, token):
        "Queue the customer's message: bag accepted, with the receipt link"
        Message = Pool().get('sms.message')
        Message.prepare(
            self.phone, 'drop_bag.msg_sms_accepted',
            language=self.customer_language,
            origin=self, secrets={'url': self.receipt_url(token)},
            point=self.drop_point.name, seal=self.seal,
            count=self.item_count).save()

    @property
    def receipt_template(self):
        "The portal's template of the customer's receipt page"
        return 'drop_bag/receipt.html'

    def receipt_values(self, portal):
        "What else the receipt page shows, by the modules that extend it"
        return {}

    def new_receipt_token(self):
        "Set a new receipt link token, revoking the previous one"
        token = secrets.token_urlsafe(24)
        self.receipt_token_hash = token_hash(token)
        return token

    @classmethod
    @without_check_access
    def from_receipt_token(cls, token):
        """The bag of a customer's link: the token is its only credential,
        until receipt_days after the bag was issued or cancelled"""
        if not token:
            return None
        days = config.getint('drop_bag', 'receipt_days', default=90)
        since = dt.datetime.now() - dt.timedelta(days=days)
        bags = cls.search([
                cls._receipt_token_domain(token_hash(token)),
                ['OR', ('closed_at', '=', None), ('closed_at', '>', since)],
                ], limit=1)
        return bags[0] if bags else None

    @classmethod
    def _receipt_token_domain(cls, digest):
        "The bags with a link whose token has the digest"
        return [('receipt_token_hash', '=', digest)]

    @classmethod
    def revoke_receipt_tokens(cls, bags):
        cls.write(bags, {'receipt_token_hash': None})

    @classmethod
    @Workflow.transition('accepted')
    def accept(cls, bags):
        now = dt.datetime.now()
        for bag in bags:
            bag.accepted_at = now
        cls.save(bags)

    @classmethod
    def close(cls, bags):
        "The bags' life ended: their receipt's links expire in receipt_days"
        cls.write(bags, {'closed_at': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bags):
        "Cancel the bags, each with its reason; their customers are told why"
        for bag in bags:
            if not (bag.cancel_reason or '').strip():
                raise BagError(gettext(
                        'drop_bag.msg_cancel_reason', seal=bag.seal))
        cls.close(bags)
        cls.notify_cancelled([b for b in bags if b.state != 'draft'])

    @classmethod
    def notify_cancelled(cls, bags):
        "One message per bag to its customer, with the reason"
        Message = Pool().get('sms.message')
        Message.save([Message.prepare(
                    bag.phone, 'drop_bag.msg_sms_cancelled',
                    language=bag.customer_language, origin=bag,
                    seal=bag.seal, point=bag.drop_point.name,
                    reason=bag.cancel_reason.strip())
                for bag in bags])

    @property
    def customer_language(self):
        return self.customer.lang.code if self.customer.lang else None

    @classmethod
    def check_reception(cls, seal):
        "Return the bag of the seal that the factory waits for"
        company = Transaction().context.get('company')
        seal = normalize_seal(seal)
        if not seal:
            raise SealError(gettext('drop_bag.msg_seal_missing'))
        bag = cls.seal_owner(company, seal)
        if not bag:
            raise BagError(gettext(
                    'drop_bag.msg_reception_unknown', seal=seal))
        if bag.state not in {'accepted', 'in_transit'}:
            raise BagError(gettext(
                    'drop_bag.msg_reception_state', seal=seal,
                    state=bag.state_string))
        return bag

    @classmethod
    def receive_checked(cls, bag, seal_intact, counted_items, note=None):
        """Record the factory's check of the bag and receive it.

        A broken seal or another count opens a discrepancy: the bag needs
        attention, and the partner and the customer are told.
        Return the discrepancy or None."""
        pool = Pool()
        Discrepancy = pool.get('drop.bag.discrepancy')
        if (not isinstance(counted_items, int)
                or not 0 <= counted_items <= MAX_ITEMS * 10):
            raise BagError(gettext(
                    'drop_bag.msg_counted_items_invalid',
                    maximum=MAX_ITEMS * 10))
        # a second click of the same check waits here, then sees the state
        cls.lock([bag])
        bag = cls(bag.id)
        if bag.state not in {'accepted', 'in_transit'}:
            raise BagError(gettext(
                    'drop_bag.msg_reception_state', seal=bag.seal,
                    state=bag.state_string))
        bag.received_at = dt.datetime.now()
        bag.received_by = Transaction().user
        bag.seal_intact = bool(seal_intact)
        bag.counted_items = counted_items
        bag.save()
        cls.receive([bag])
        discrepancy = None
        if not seal_intact or counted_items != bag.item_count:
            discrepancy = Discrepancy(
                bag=bag, seal_intact=bool(seal_intact),
                expected_items=bag.item_count, counted_items=counted_items,
                note=note or None)
            discrepancy.save()
            bag.notify_discrepancy()
        return discrepancy

    @classmethod
    @Workflow.transition('received')
    def receive(cls, bags):
        pass

    def notify_discrepancy(self):
        "Tell the customer, in neutral words, that the factory found a gap"
        Message = Pool().get('sms.message')
        Message.prepare(
            self.phone, 'drop_bag.msg_sms_discrepancy',
            language=self.customer_language, origin=self, seal=self.seal,
            point=self.drop_point.name).save()
