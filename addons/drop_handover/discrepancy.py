# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta


class Discrepancy(metaclass=PoolMeta):
    "What the taker of an act found: a bag missing, extra, its seal broken"
    __name__ = 'drop.bag.discrepancy'

    handover_line = fields.Many2One(
        'drop.handover.line', "Act Line", readonly=True, ondelete='RESTRICT',
        help="The line of the act on which the taker found it.")
    handover = fields.Function(
        fields.Many2One('drop.handover', "Act"), 'get_handover')

    def get_handover(self, name):
        return self.handover_line.handover if self.handover_line else None

    def get_description(self, name):
        if self.handover_line:
            line = self.handover_line
            return gettext(
                f'drop_handover.msg_discrepancy_{line.outcome}',
                act=line.handover.rec_name,
                giver=line.handover.from_location.rec_name)
        return super().get_description(name)
