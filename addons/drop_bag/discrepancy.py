# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.drop_point.ir import RuleExportMixin
from trytond.pyson import Eval


class Discrepancy(RuleExportMixin, Workflow, ModelSQL, ModelView):
    "What the factory found different from the intake: seal or count"
    __name__ = 'drop.bag.discrepancy'
    __string__ = "Bag Discrepancy"

    _states = {'readonly': Eval('state') != 'open'}

    bag = fields.Many2One(
        'drop.bag', "Bag", required=True, readonly=True, ondelete='CASCADE')
    drop_point = fields.Function(
        fields.Many2One('drop.point', "Drop Point"),
        'on_change_with_drop_point', searcher='search_drop_point')
    seal_intact = fields.Boolean("Seal Intact", readonly=True)
    expected_items = fields.Integer(
        "Expected Items", readonly=True,
        help="The items declared at the drop point.")
    counted_items = fields.Integer(
        "Counted Items", readonly=True,
        help="The items counted at the factory.")
    note = fields.Text(
        "Note", states=_states,
        help="What the factory saw; add photos as attachments.")
    resolution = fields.Text(
        "Resolution", states={
            'readonly': Eval('state') != 'open',
            'required': Eval('state') == 'resolved',
            })
    description = fields.Function(
        fields.Char("Description"), 'get_description')
    state = fields.Selection([
            ('open', "Open"),
            ('resolved', "Resolved"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'resolved'),
            ('resolved', 'open'),
            }
        cls._buttons.update({
                'resolve': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('bag')
    def on_change_with_drop_point(self, name=None):
        return self.bag.drop_point if self.bag else None

    @classmethod
    def search_drop_point(cls, name, clause):
        return [('bag.drop_point' + clause[0][len(name):], *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.bag.rec_name}: {self.description}'

    def get_description(self, name):
        "The gap in neutral words, as shown to the partner"
        parts = []
        if not self.seal_intact:
            parts.append(gettext('drop_bag.msg_discrepancy_seal'))
        if self.counted_items != self.expected_items:
            parts.append(gettext(
                    'drop_bag.msg_discrepancy_count',
                    counted=self.counted_items,
                    expected=self.expected_items))
        return '; '.join(parts)

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, discrepancies):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, discrepancies):
        pass
