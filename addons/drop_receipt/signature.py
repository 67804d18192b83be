# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The customer's signature of an order's receipt, by a code sent to the
phone, with its evidence: who, when, from where, with which code, and the
SHA-256 of the exact document signed.  A change to the order voids it."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.sms.phone import mask
from trytond.pool import Pool
from trytond.pyson import Eval

from .document import Document
from .exceptions import SignatureAccessError

STATES = [
    ('valid', "Valid"),
    ('void', "Void"),
    ]


def purpose(order, digest):
    "A code signs one order, as it was when the code was asked for"
    return f'signature:{order.id}:{digest[:16]}'


class Signature(ModelSQL, ModelView):
    "Customer's signature of a receipt"
    __name__ = 'drop.receipt.signature'
    __string__ = "Receipt Signature"

    order = fields.Many2One(
        'sale.sale', "Order", required=True, readonly=True,
        ondelete='CASCADE')
    bag = fields.Many2One(
        'drop.bag', "Bag", required=True, readonly=True, ondelete='CASCADE')
    phone = fields.Char("Phone", required=True, readonly=True)
    signed_at = fields.Timestamp("Signed At", required=True, readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    user_agent = fields.Char("User Agent", readonly=True)
    verification = fields.Many2One(
        'sms.verification', "Verification", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The one-time code the customer entered to sign.")
    language = fields.Char("Language", required=True, readonly=True)
    document_hash = fields.Char(
        "Document SHA-256", required=True, readonly=True, strip=False,
        help="The hash of the receipt exactly as it was signed.")
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    voided_at = fields.Timestamp(
        "Voided At", readonly=True,
        states={'invisible': Eval('state') != 'void'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('signed_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'valid'

    @classmethod
    def check_modification(
            cls, mode, signatures, values=None, external=False):
        "The evidence is kept as the customer signed it, whoever asks"
        super().check_modification(
            mode, signatures, values=values, external=external)
        if external:
            raise SignatureAccessError(gettext(
                    'drop_receipt.msg_signature_evidence'))

    @property
    def masked_phone(self):
        return mask(self.phone)

    @property
    def intact(self):
        "Whether the order still renders to the document signed"
        return (self.state == 'valid'
            and Document(self.bag, self.language).digest
            == self.document_hash)

    @classmethod
    def sign(cls, bag, code, language, ip_address=None, user_agent=None):
        """The customer entered the code sent for the bag's order as it is
        now: keep the signature and its evidence.

        Return the signature and None, or None and the message telling what
        is wrong with the code (its wrong attempt counted: commit it)."""
        pool = Pool()
        Verification = pool.get('sms.verification')
        order = bag.order
        digest = Document(bag, language).digest
        target = purpose(order, digest)
        result = Verification.check(bag.phone, target, code)
        if result.status != 'ok':
            return None, gettext(
                f'drop_bag.msg_code_{result.status}',
                left=result.attempts_left)
        if not Verification.consume(result.verification, bag.phone, target):
            return None, gettext('drop_bag.msg_code_unknown')
        signature = cls(
            order=order, bag=bag, phone=bag.phone,
            signed_at=Verification._now(), ip_address=ip_address,
            # a header may hold tabs, which a Char refuses
            user_agent=' '.join((user_agent or '').split())[:500] or None,
            verification=result.verification, language=language,
            document_hash=digest)
        signature.save()
        return signature, None

    @classmethod
    def void(cls, orders):
        "The orders changed: their signatures no longer hold"
        signatures = cls.search([
                ('order', 'in', [o.id for o in orders]),
                ('state', '=', 'valid'),
                ])
        if signatures:
            cls.write(signatures, {'state': 'void', 'voided_at': cls._now()})

    @staticmethod
    def _now():
        return Pool().get('sms.verification')._now()
