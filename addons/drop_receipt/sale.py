# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The order of a bag is Tryton's sale: written up at the factory for the
bag's customer, with the drop point recorded, one line per item.  Once
confirmed, the customer has the receipt to sign and pay: what it shows no
longer changes but through a documented correction (a credit note, a
refund)."""
from sql import Null
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .bag import SIGNABLE
from .exceptions import OrderError


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    drop_point = fields.Many2One(
        'drop.point', "Drop Point", ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'},
        help="The point where the customer left the items and takes them "
        "back.")
    bag = fields.Many2One(
        'drop.bag', "Bag", readonly=True, ondelete='RESTRICT',
        help="The sealed bag the items came in.")
    signatures = fields.One2Many(
        'drop.receipt.signature', 'order', "Signatures", readonly=True,
        help="The customer's signatures of the receipt: a change to the "
        "order voids them.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('bag_exclude',
                Exclude(t, (t.bag, Equal),
                    where=(t.bag != Null) & (t.state != 'cancelled')),
                'drop_receipt.msg_bag_one_order'),
            ]

    @classmethod
    def confirm(cls, sales):
        "The bag's order is confirmed: the bag is processed, the customer told"
        Bag = Pool().get('drop.bag')
        super().confirm(sales)
        Bag.process_order([s.bag for s in sales if s.bag])

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default else {}
        default.setdefault('bag', None)
        default.setdefault('signatures', None)
        return super().copy(sales, default=default)

    @property
    def signature(self):
        "The customer's signature that still holds for the order as it is"
        for signature in self.signatures:
            if signature.intact:
                return signature

    @classmethod
    def on_modification(cls, mode, sales, field_names=None):
        super().on_modification(mode, sales, field_names=field_names)
        if mode == 'write' and set(field_names or ()) & cls._signed_fields():
            Pool().get('drop.receipt.signature').void(sales)

    @classmethod
    def _signed_fields(cls):
        "What the receipt shows of the order itself"
        return {'party', 'currency', 'lines', 'drop_point', 'bag'}

    @classmethod
    def check_modification(cls, mode, sales, values=None, external=False):
        super().check_modification(
            mode, sales, values=values, external=external)
        if mode == 'write' and set(values) & cls._frozen_fields(external):
            cls.check_frozen(sales)

    @classmethod
    def _frozen_fields(cls, external=False):
        "What may not change once the customer was sent the receipt"
        names = cls._signed_fields() | {'company', 'number'}
        if external:
            # Tryton itself stores them when confirming or back to draft
            names |= {
                'untaxed_amount_cache', 'tax_amount_cache',
                'total_amount_cache'}
        return names

    @property
    def frozen(self):
        "Whether the order is a bag's that its customer may sign and pay"
        return bool(self.bag) and self.state in SIGNABLE

    @classmethod
    def check_frozen(cls, sales):
        "Refuse to change what the customers were sent of the orders"
        for sale in sales:
            if sale.frozen:
                raise OrderError(gettext(
                        'drop_receipt.msg_order_frozen', order=sale.rec_name,
                        seal=sale.bag.seal, state=sale.state_string))


class SaleLine(metaclass=PoolMeta):
    "One item of the bag: its service, what it is and what is wrong with it"
    __name__ = 'sale.line'

    _item_states = {
        'invisible': Eval('type') != 'line',
        'readonly': Eval('sale_state') != 'draft',
        }

    item_kind = fields.Char(
        "Item", states=_item_states, help="What the item is: coat, suit…")
    item_colour = fields.Char("Colour", states=_item_states)
    item_brand = fields.Char("Brand", states=_item_states)
    item_defects = fields.Text(
        "Defects Noted", states=_item_states,
        help="Stains, wear, damage seen at the write-up; add photos as "
        "attachments.")

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        super().on_modification(mode, lines, field_names=field_names)
        if mode != 'write' or set(field_names or ()) & cls._signed_fields():
            Pool().get('drop.receipt.signature').void(
                list({l.sale for l in lines if l.sale}))

    @classmethod
    def _signed_fields(cls):
        "What the receipt shows of an item"
        return {
            'sale', 'sequence', 'type', 'product', 'description', 'quantity',
            'unit', 'unit_price', 'taxes', 'item_kind', 'item_colour',
            'item_brand', 'item_defects'}

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        "A frozen order's items are neither added, changed nor removed"
        Sale = Pool().get('sale.sale')
        # before Tryton's own checks: this message says what to do instead
        if mode != 'write' or set(values) & cls._signed_fields():
            sales = {l.sale for l in lines}
            if mode == 'write' and values.get('sale'):
                sales.add(Sale(values['sale']))
            Sale.check_frozen(sales)
        super().check_modification(
            mode, lines, values=values, external=external)

    @property
    def item_summary(self):
        "The item in one line: kind, colour, brand"
        return ', '.join(filter(None, [
                    self.item_kind, self.item_colour, self.item_brand]))


class SaleLineTax(metaclass=PoolMeta):
    "The taxes of an item: frozen with its order"
    __name__ = 'sale.line-account.tax'

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        pool = Pool()
        Line = pool.get('sale.line')
        Sale = pool.get('sale.sale')
        super().check_modification(
            mode, records, values=values, external=external)
        lines = {r.line for r in records}
        if mode == 'write' and values.get('line'):
            lines.add(Line(values['line']))
        Sale.check_frozen({l.sale for l in lines})
