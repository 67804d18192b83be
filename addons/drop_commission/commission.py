# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A commission line says what it is on the partner's statement: the order
and bag it was earned on and by which rule, or the month's rule it applies.
A drop partner's commissions are invoiced by its confirmed statement only
(`Statement.make_invoices`, with Tryton's invoice and line builders)."""
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import StatementError

KINDS = [
    ('order', "Order"),
    ('tier', "Volume Tier"),
    ('bag', "Fixed per Bag"),
    ('bonus', "Bonus"),
    ('penalty', "Penalty"),
    ('cash', "Cash Collected"),
    ]


class Commission(metaclass=PoolMeta):
    __name__ = 'commission'

    drop_statement = fields.Many2One(
        'drop.commission.statement', "Statement", readonly=True,
        ondelete='RESTRICT',
        help="The partner's month statement that settles the line.")
    drop_kind = fields.Selection(KINDS, "Kind", readonly=True, sort=False)
    drop_kind_string = drop_kind.translated('drop_kind')
    drop_order = fields.Many2One(
        'sale.sale', "Order", readonly=True, ondelete='RESTRICT')
    drop_bag = fields.Many2One(
        'drop.bag', "Bag", readonly=True, ondelete='RESTRICT')
    drop_plan_line = fields.Many2One(
        'commission.plan.line', "Plan Line", readonly=True,
        ondelete='RESTRICT', help="The rule that priced the order.")
    drop_rule = fields.Many2One(
        'drop.commission.rule', "Month Rule", readonly=True,
        ondelete='RESTRICT')
    drop_quantity = fields.Integer(
        "Quantity", readonly=True,
        help="How many bags, events or payments the line counts.")
    drop_note = fields.Char(
        "Note", readonly=True,
        help="How the line's amount was worked out.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.drop_statement, Index.Range()),
                    where=t.drop_statement != Null),
                Index(t, (t.agent, Index.Range()), (t.date, Index.Range()),
                    where=t.drop_statement == Null),
                Index(t, (t.drop_order, Index.Range()),
                    where=t.date == Null),
                })

    @classmethod
    def default_drop_kind(cls):
        return 'order'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['drop.commission.statement']

    @property
    def drop_rule_name(self):
        rule = self.drop_rule or self.drop_plan_line
        return rule.rec_name if rule else ''

    @classmethod
    def invoice(cls, commissions):
        "A drop partner's commissions are invoiced by its statement only"
        for commission in commissions:
            if commission.agent.drop_points:
                raise StatementError(gettext(
                        'drop_commission.msg_commission_statement_only',
                        partner=commission.agent.rec_name))
        super().invoice(commissions)

    @classmethod
    def _get_invoice(cls, key):
        invoice = super()._get_invoice(key)
        statement = key.get('drop_statement')
        if statement:
            agent = key['agent']
            if key['type'] == 'out':
                invoice.account = agent.party.account_receivable_used
                invoice.payment_term = agent.party.customer_payment_term
            else:
                invoice.account = agent.party.account_payable_used
                invoice.payment_term = agent.party.supplier_payment_term
            invoice.description = statement.rec_name
            invoice.reference = statement.number
        return invoice

    @classmethod
    def _get_invoice_line(cls, key, invoice, commissions):
        Lang = Pool().get('ir.lang')
        line = super()._get_invoice_line(key, invoice, commissions)
        kind = key.get('drop_kind')
        if kind:
            lang = Lang.get(invoice.party.lang.code
                if invoice.party.lang else None)
            with Transaction().set_context(language=lang.code):
                label = dict(cls.fields_get(['drop_kind'])['drop_kind'][
                        'selection'])[kind]
            line.description = label
        return line


class CreateInvoice(metaclass=PoolMeta):
    __name__ = 'commission.create_invoice'

    def get_domain(self):
        """Only commissions already earned, and none of a drop partner: its
        confirmed statement invoices them"""
        domain = super().get_domain()
        domain.append(('date', '!=', None))
        domain.append(('agent.drop_points', '=', None))
        return domain
