# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard


class ReceiveStart(ModelView):
    __name__ = 'drop.bag.receive.start'
    __string__ = "Bag Reception"

    seal = fields.Char(
        "Seal", required=True,
        help="Scan or type the seal number, then press Enter.")
    last = fields.Text("Last Bag", readonly=True)


class ReceiveCheck(ModelView):
    __name__ = 'drop.bag.receive.check'
    __string__ = "Bag Reception Check"

    bag = fields.Many2One('drop.bag', "Bag", readonly=True)
    drop_point = fields.Many2One('drop.point', "Drop Point", readonly=True)
    item_count = fields.Integer(
        "Declared Items", readonly=True,
        help="The items the drop point counted at the intake.")
    seal_intact = fields.Boolean("Seal Intact")
    counted_items = fields.Integer(
        "Counted Items", required=True,
        domain=[('counted_items', '>=', 0)])
    note = fields.Text(
        "Note", states={
            'required': (~Eval('seal_intact')
                | (Eval('counted_items', 0) != Eval('item_count', 0))),
            },
        help="What differs, in neutral words.")
    photo = fields.Binary("Photo", filename='photo_name')
    photo_name = fields.Char("Photo Name")


class Receive(Wizard):
    "Receive bags at the factory, one seal after the other"
    __name__ = 'drop.bag.receive'

    start = StateView(
        'drop.bag.receive.start', 'drop_bag.receive_start_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Find", 'find', 'tryton-forward', default=True),
            ])
    find = StateTransition()
    check = StateView(
        'drop.bag.receive.check', 'drop_bag.receive_check_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Receive", 'receive', 'tryton-ok', default=True),
            ])
    receive = StateTransition()

    def default_start(self, fields):
        last = getattr(self.start, 'last', None)
        return {'last': last} if last else {}

    def transition_find(self):
        Bag = Pool().get('drop.bag')
        bag = Bag.check_reception(self.start.seal)
        self.check.bag = bag
        return 'check'

    def default_check(self, fields):
        bag = self.check.bag
        return {
            'bag': bag.id,
            'drop_point': bag.drop_point.id,
            'item_count': bag.item_count,
            'seal_intact': True,
            }

    def transition_receive(self):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Bag = pool.get('drop.bag')
        bag = self.check.bag
        discrepancy = Bag.receive_checked(
            bag, self.check.seal_intact, self.check.counted_items,
            note=self.check.note)
        if discrepancy and self.check.photo:
            Attachment(
                resource=discrepancy,
                name=self.check.photo_name or 'photo.jpg',
                data=self.check.photo).save()
        if discrepancy:
            self.start.last = gettext(
                'drop_bag.msg_reception_discrepancy', seal=bag.seal,
                description=discrepancy.description)
        else:
            self.start.last = gettext(
                'drop_bag.msg_reception_done', seal=bag.seal,
                count=bag.item_count)
        self.start.seal = None
        return 'start'
