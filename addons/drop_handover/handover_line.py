# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from sql import Literal
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.drop_point.ir import RuleExportMixin
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import HandoverError

OUTCOMES = [
    (None, ""),
    ('missing', "Missing"),
    ('seal_broken', "Seal Broken"),
    ('extra', "Not on the Act"),
    ('not_held', "Not on the Act, Not Held by the Giver"),
    ]


class HandoverLine(RuleExportMixin, ModelSQL, ModelView):
    "A bag on an act, with its seal and items as accepted"
    __name__ = 'drop.handover.line'
    __string__ = "Handover Line"

    handover = fields.Many2One(
        'drop.handover', "Act", required=True, ondelete='CASCADE')
    bag = fields.Many2One(
        'drop.bag', "Bag", ondelete='RESTRICT',
        domain=[('state', 'not in', ['draft', 'cancelled', 'issued'])],
        states={'required': Eval('outcome') != 'not_held'},
        help="Empty for a seal the taker typed that the giver did not hold: "
        "no bag moved.")
    seal = fields.Char("Seal", readonly=True)
    item_count = fields.Integer("Items", readonly=True)
    move = fields.Many2One('stock.move', "Move", readonly=True)
    outcome = fields.Selection(
        OUTCOMES, "Outcome", readonly=True, sort=False,
        help="What the taker found different from the act.")
    outcome_string = outcome.translated('outcome')
    discrepancies = fields.One2Many(
        'drop.bag.discrepancy', 'handover_line', "Discrepancies",
        readonly=True)
    open = fields.Boolean(
        "Open", readonly=True,
        help="The act is not done nor cancelled: the bag cannot be on "
        "another open act.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('bag_open_exclude',
                Exclude(t, (t.bag, Equal), where=t.open == Literal(True)),
                'drop_handover.msg_bag_on_open_act'),
            ]
        cls._sql_indexes.add(Index(t, (t.bag, Index.Range())))

    @classmethod
    def default_open(cls):
        return True

    @fields.depends('bag')
    def on_change_bag(self):
        if self.bag:
            self.seal, self.item_count = self.bag.seal, self.bag.item_count

    @classmethod
    def create(cls, vlist):
        "The seal and the count are the bag's at the time of the act"
        Bag = Pool().get('drop.bag')
        vlist = [v.copy() for v in vlist]
        cls._check_bags_free(vlist)
        bags = {b.id: b for b in Bag.browse(
                list({v['bag'] for v in vlist if v.get('bag')}))}
        for values in vlist:
            if values.get('bag'):
                bag = bags[values['bag']]
                values['seal'], values['item_count'] = (
                    bag.seal, bag.item_count)
        return super().create(vlist)

    @classmethod
    def preprocess_values(cls, mode, values):
        "A draft's line given another bag takes its seal and count"
        Bag = Pool().get('drop.bag')
        values = super().preprocess_values(mode, values)
        if mode == 'write' and values.get('bag'):
            bag = Bag(values['bag'])
            values['seal'], values['item_count'] = bag.seal, bag.item_count
        return values

    @classmethod
    def _check_bags_free(cls, vlist):
        "Name the act that holds a bag before the database refuses it"
        bags = [v['bag'] for v in vlist if v.get('bag')]
        if len(bags) != len(set(bags)):
            raise HandoverError(gettext('drop_handover.msg_bag_twice'))
        taken = cls.search(
            [('bag', 'in', bags), ('open', '=', True)], limit=1)
        if taken:
            raise HandoverError(gettext(
                    'drop_handover.msg_bag_on_act', seal=taken[0].bag.seal,
                    act=taken[0].handover.rec_name))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'} and external:
            for line in lines:
                if line.handover.state != 'draft':
                    raise AccessError(gettext(
                            'drop_handover.msg_act_closed',
                            act=line.handover.rec_name))
