# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""An order's invoice line earns its point's partner a commission priced by
the plan line matching the point's type, the service and the order's date.
A statement's invoice, once posted, marks the statement invoiced."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _post(cls, invoices):
        Statement = Pool().get('drop.commission.statement')
        super()._post(invoices)
        Statement.invoiced(Statement.search([
                    ('invoice', 'in', [i.id for i in invoices]),
                    ('state', '=', 'confirmed'),
                    ]))

    @classmethod
    def set_commissions_date(cls, invoices):
        """A paid invoice dates its commissions (Tryton's), except those
        earned on issue whose order is not issued yet"""
        pool = Pool()
        Commission = pool.get('commission')
        waiting = Commission.search([
                ('date', '=', None),
                ('origin.invoice', 'in', [i.id for i in invoices],
                    'account.invoice.line'),
                ('agent.plan.commission_method', '=', 'issue'),
                ['OR',
                    ('drop_bag', '=', None),
                    ('drop_bag.state', '!=', 'issued'),
                    ],
                ])
        if not waiting:
            return super().set_commissions_date(invoices)
        # date them as Tryton does, then take the date back from those
        # still waiting for the issue
        super().set_commissions_date(invoices)
        Commission.write(Commission.browse(waiting), {'date': None})


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @property
    def drop_order(self):
        "The order the line bills, or credits (a credit note's line)"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        SaleLine = pool.get('sale.line')
        origin = self.origin
        if isinstance(origin, InvoiceLine) and origin.id >= 0:
            return origin.drop_order
        if isinstance(origin, SaleLine) and origin.id >= 0:
            return origin.sale

    def _drop_pattern(self, pattern=None):
        "The plan lines match the order's point type and date"
        order = self.drop_order
        pattern = dict(pattern or {})
        if order and order.drop_point:
            pattern['drop_point_type'] = order.drop_point.type.id
            pattern['date'] = order.sale_date
        return pattern

    def _get_commission_amount(self, amount, plan, pattern=None):
        return plan.compute_line(
            amount, self.product, self._drop_pattern(pattern))[1]

    def get_commissions(self):
        Date = Pool().get('ir.date')
        commissions = super().get_commissions()
        order = self.drop_order
        with Transaction().set_context(company=self.invoice.company.id):
            today = Date.today()
        result = []
        for commission in commissions:
            plan = commission.agent.plan
            if order and order.drop_point:
                # exact in the partner's currency: a statement's totals
                # are the sums of its lines
                commission.amount = commission.agent.currency.round(
                    commission.amount)
                if not commission.amount:
                    continue
            result.append(commission)
            commission.drop_kind = 'order'
            commission.drop_plan_line, _ = plan.compute_line(
                commission.base_amount, self.product, self._drop_pattern())
            if order:
                commission.drop_order = order
                commission.drop_bag = order.bag
            if plan.commission_method == 'issue':
                # earned when the customer takes the order; a refund
                # reverses it when it is made
                if (commission.amount < 0
                        or (order and order.bag
                            and order.bag.state == 'issued')):
                    commission.date = self.invoice.invoice_date or today
        return result
