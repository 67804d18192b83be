# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The plan's lines price each order line by the point's type, the service's
category and the order's date; the plan also says when a commission is
earned, and carries the month's rules (fixed per bag, tiers, bonuses,
penalties)."""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from .validity import ValidityMixin


class Plan(metaclass=PoolMeta):
    __name__ = 'commission.plan'

    drop_rules = fields.One2Many(
        'drop.commission.rule', 'plan', "Month Rules",
        help="Fixed amounts per bag, volume tiers, bonuses and penalties, "
        "applied by the month's statement.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.commission_method.selection.append(('issue', "On Issue"))
        cls.commission_method.help = (
            "When the commission is earned: when the invoice is posted, "
            "when it is paid, or when the order is issued to its customer.")

    def compute(self, amount, product, pattern=None):
        line, amount = self.compute_line(amount, product, pattern=pattern)
        return amount

    def compute_line(self, amount, product, pattern=None):
        "The first line matching the pattern, and the commission it gives"
        def parents(categories):
            for category in categories:
                while category:
                    yield category
                    category = category.parent

        pattern = dict(pattern or {})
        if product:
            pattern['categories'] = [
                c.id for c in parents(product.categories_all)]
            pattern['product'] = product.id
        else:
            pattern['categories'] = []
            pattern['product'] = None
        context = self.get_context_formula(amount, product)
        for line in self.lines:
            if line.match(pattern):
                return line, line.get_amount(**context)
        return None, None


class PlanLine(ValidityMixin, metaclass=PoolMeta):
    __name__ = 'commission.plan.line'

    name = fields.Char(
        "Name", translate=True,
        help="How the partner reads the rule on its statement, "
        "e.g. \"Tailor shops 10%\".")
    drop_point_type = fields.Many2One(
        'drop.point.type', "Drop Point Type", ondelete='RESTRICT',
        help="Apply only to the orders of points of this type.")

    def get_rec_name(self, name):
        if self.name:
            return self.name
        return f'{self.plan.rec_name}: {self.formula}'

    def match(self, pattern):
        Date = Pool().get('ir.date')
        pattern = dict(pattern)
        date = pattern.pop('date', None) or Date.today()
        if not self.valid_on(date):
            return False
        return super().match(pattern)
