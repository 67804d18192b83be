# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard


class TakeStart(ModelView):
    "What the taker found different from the act"
    __name__ = 'drop.handover.take.start'
    __string__ = "Take Over with Discrepancies"

    act = fields.Many2One('drop.handover', "Act", readonly=True)
    bags = fields.Many2Many(
        'drop.bag', None, None, "Bags on the Act", readonly=True)
    missing = fields.Many2Many(
        'drop.bag', None, None, "Missing",
        domain=[('id', 'in', Eval('bags', []))],
        help="The bags on the act that did not come.")
    broken = fields.Many2Many(
        'drop.bag', None, None, "Seal Broken",
        domain=[
            ('id', 'in', Eval('bags', [])),
            ('id', 'not in', Eval('missing', [])),
            ],
        help="The bags that came with a broken seal.")
    extra = fields.Many2Many(
        'drop.bag', None, None, "Not on the Act",
        domain=[
            ('id', 'not in', Eval('bags', [])),
            ('state', 'not in', ['draft', 'cancelled', 'issued']),
            ],
        help="The bags that came without being on the act: find them by "
        "their seal.")


class Take(Wizard):
    "Confirm taking over an act, with what differs from it"
    __name__ = 'drop.handover.take'

    start = StateView(
        'drop.handover.take.start', 'drop_handover.take_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm Receipt", 'take', 'tryton-ok', default=True),
            ])
    take = StateTransition()

    def default_start(self, fields):
        return {
            'act': self.record.id,
            'bags': [l.bag.id for l in self.record.lines],
            }

    def transition_take(self):
        Handover = Pool().get('drop.handover')
        Handover.take(
            self.record, missing=self.start.missing,
            broken=self.start.broken, extra=self.start.extra)
        return 'end'
