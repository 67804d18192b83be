# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Make the month's statements of every partner, from the registry."""
from dateutil.relativedelta import relativedelta

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateAction, StateView, Wizard

from .statement import month_of


class StatementCreateStart(ModelView):
    "Make the statements of a month"
    __name__ = 'drop.commission.statement.create.start'
    __string__ = "Make Statements"

    date = fields.Date(
        "Month", required=True, help="Any day of the month to settle.")
    agents = fields.Many2Many(
        'commission.agent', None, None, "Partners",
        domain=[('type_', '=', 'agent'), ('drop_points', '!=', None)],
        help="Empty: every partner with drop points.")

    @classmethod
    def default_date(cls):
        Date = Pool().get('ir.date')
        return Date.today() - relativedelta(months=1)


class StatementCreate(Wizard):
    "Make the statements of a month"
    __name__ = 'drop.commission.statement.create'
    start = StateView(
        'drop.commission.statement.create.start',
        'drop_commission.statement_create_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Make", 'make', 'tryton-ok', default=True),
            ])
    make = StateAction('drop_commission.act_statement_registry')

    def do_make(self, action):
        Statement = Pool().get('drop.commission.statement')
        statements = Statement.create_month(
            self.start.date, list(self.start.agents) or None)
        start, _ = month_of(self.start.date)
        action['name'] += f' {start:%Y-%m}'
        return action, {'res_id': [s.id for s in statements]}
