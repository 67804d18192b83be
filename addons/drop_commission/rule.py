# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The month's rules of a plan, applied by the partner's statement when it is
computed: a fixed amount per accepted bag, volume tiers, bonuses for
targets and penalties, each valid between two dates."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields, sequence_ordered
from trytond.pyson import Eval, If

from .exceptions import RuleError
from .validity import ValidityMixin

KINDS = [
    ('bag', "Fixed per Accepted Bag"),
    ('tier', "Volume Tier"),
    ('bonus', "Bonus for a Target"),
    ('discrepancy', "Penalty per Discrepancy"),
    ('late', "Penalty per Late Handover"),
    ]
PENALTIES = {'discrepancy', 'late'}


class Rule(ValidityMixin, sequence_ordered(), ModelSQL, ModelView):
    "A rule of the partner's month"
    __name__ = 'drop.commission.rule'
    __string__ = "Commission Month Rule"

    plan = fields.Many2One(
        'commission.plan', "Plan", required=True, ondelete='CASCADE')
    name = fields.Char(
        "Name", required=True, translate=True,
        help="How the partner reads the rule on its statement.")
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    kind_string = kind.translated('kind')
    drop_point_type = fields.Many2One(
        'drop.point.type', "Drop Point Type", ondelete='RESTRICT',
        help="Apply only to partners with points of this type.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2),
        states={
            'required': Eval('kind') != 'tier',
            'invisible': Eval('kind') == 'tier',
            },
        help="Per bag, the bonus, or the penalty per event "
        "(entered positive, deducted).")
    percentage = fields.Numeric(
        "Rate (%)", digits=(5, 2),
        states={
            'required': Eval('kind') == 'tier',
            'invisible': Eval('kind') != 'tier',
            },
        help="The tier's rate on the whole month's order amount, in place "
        "of the rates of the plan's lines.")
    min_orders = fields.Integer(
        "From Orders",
        domain=[If(Eval('min_orders', None) != None,  # noqa: E711
                ('min_orders', '>=', 0), ())],
        states={
            'required': Eval('kind').in_(['tier', 'bonus']),
            'invisible': ~Eval('kind').in_(['tier', 'bonus']),
            },
        help="The month's orders from which the tier or the bonus applies.")
    max_orders = fields.Integer(
        "To Orders",
        states={'invisible': Eval('kind') != 'tier'},
        help="The highest order count of a month in the tier (included); "
        "empty: no limit.")
    hours = fields.Integer(
        "Agreed Hours",
        states={
            'required': Eval('kind') == 'late',
            'invisible': Eval('kind') != 'late',
            },
        help="How long a point may keep an accepted bag before handing it "
        "over; an act with a bag kept longer is late.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        for rule in rules:
            if (rule.kind == 'tier' and rule.max_orders is not None
                    and rule.max_orders < (rule.min_orders or 0)):
                raise RuleError(gettext(
                        'drop_commission.msg_rule_tier_range',
                        rule=rule.rec_name))
            if rule.amount is not None and rule.amount < 0:
                raise RuleError(gettext(
                        'drop_commission.msg_rule_amount_negative',
                        rule=rule.rec_name))

    def applies_to(self, point_types):
        return (not self.drop_point_type
            or self.drop_point_type.id in point_types)

    def in_tier(self, orders):
        return (orders >= (self.min_orders or 0)
            and (self.max_orders is None or orders <= self.max_orders))

    @property
    def rate(self):
        return (self.percentage or Decimal(0)) / 100
