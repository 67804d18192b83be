# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The partner's month statement: the commissions its points' orders earned,
the month's rules (tier, fixed per bag, bonuses, penalties), the cash its
points collected for the company, and the net. Both sides read the same
lines: they are the statement's commission records, invoiced through
Tryton's commission flow when it is confirmed."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.drop_point.ir import RuleExportMixin
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import StatementError
from .month import PartnerMonth

STATES = [
    ('draft', "Draft"),
    ('confirmed', "Confirmed"),
    ('invoiced', "Invoiced"),
    ]


def month_of(date):
    "The first and the last day of the date's month"
    start = date.replace(day=1)
    return start, start + relativedelta(months=1, days=-1)


class Statement(
        RuleExportMixin, PartnerMonth, Workflow, ModelSQL, ModelView):
    "What a partner earned in a month, and what is settled"
    __name__ = 'drop.commission.statement'
    __string__ = "Commission Statement"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char("Number", readonly=True)
    agent = fields.Many2One(
        'commission.agent', "Partner", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type_', '=', 'agent'),
            ('drop_points', '!=', None),
            ],
        help="The partner, as the commission agent of its points.")
    party = fields.Function(
        fields.Many2One(
            'party.party', "Party",
            context={'company': Eval('company', -1)}, depends={'company'}),
        'on_change_with_party', searcher='search_party')
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')), ())])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[If(Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    month = fields.Function(
        fields.Char("Month", help="As YYYY-MM."),
        'get_month', searcher='search_month')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    order_count = fields.Integer(
        "Orders", readonly=True,
        help="The orders whose commission was earned in the month, "
        "refunds deducted.")
    bag_count = fields.Integer(
        "Bags", readonly=True,
        help="The bags the partner's points accepted in the month.")
    earned = Monetary(
        "Earned", currency='currency', digits='currency', readonly=True,
        help="Commissions on orders, the volume tier and the fixed amounts "
        "per bag.")
    bonus = Monetary(
        "Bonuses", currency='currency', digits='currency', readonly=True)
    penalty = Monetary(
        "Penalties", currency='currency', digits='currency', readonly=True)
    collected = Monetary(
        "Cash Collected", currency='currency', digits='currency',
        readonly=True,
        help="The cash the partner's points took from customers for the "
        "company.")
    net = Monetary(
        "Net", currency='currency', digits='currency', readonly=True,
        help="Positive: the company owes the partner; "
        "negative: the partner owes the company.")
    owed_by = fields.Function(fields.Selection([
                (None, ""),
                ('company', "Company Owes the Partner"),
                ('partner', "Partner Owes the Company"),
                ], "Settlement"), 'get_owed_by')
    lines = fields.One2Many(
        'commission', 'drop_statement', "Lines", readonly=True,
        order=[('drop_kind', 'ASC'), ('date', 'ASC'), ('id', 'ASC')])
    computed_at = fields.Timestamp("Computed At", readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Invoice", readonly=True, ondelete='RESTRICT')
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('agent_period_unique', Unique(t, t.agent, t.start_date),
                'drop_commission.msg_statement_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.start_date, Index.Range()),
                    (t.agent, Index.Range())),
                Index(t, (t.state, Index.Equality())),
                Index(t, (t.invoice, Index.Range()), where=t.invoice != Null),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('confirmed', 'draft'),
            ('confirmed', 'invoiced'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'confirmed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_start_date(cls):
        Date = Pool().get('ir.date')
        return month_of(Date.today())[0]

    @classmethod
    def default_end_date(cls):
        Date = Pool().get('ir.date')
        return month_of(Date.today())[1]

    @fields.depends('start_date', 'end_date')
    def on_change_start_date(self):
        if self.start_date:
            self.start_date, self.end_date = month_of(self.start_date)

    @fields.depends('agent')
    def on_change_with_party(self, name=None):
        return self.agent.party if self.agent else None

    @classmethod
    def search_party(cls, name, clause):
        return [('agent.party' + clause[0][len(name):], *clause[1:])]

    @fields.depends('agent')
    def on_change_with_currency(self, name=None):
        return self.agent.currency if self.agent else None

    def get_month(self, name):
        return self.start_date.strftime('%Y-%m') if self.start_date else None

    @classmethod
    def search_month(cls, name, clause):
        """A month as YYYY-MM, or a year as YYYY; the client's "contains"
        search sends it between % signs"""
        _, operator, value, *_ = clause
        text = str(value or '').strip().strip('%')
        negate = operator.startswith('not') or operator == '!='
        for pattern, months in [('%Y-%m', 1), ('%Y', 12)]:
            try:
                start = dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            end = start + relativedelta(months=months)
            if negate:
                return ['OR',
                    ('start_date', '<', start), ('start_date', '>=', end)]
            return [('start_date', '>=', start), ('start_date', '<', end)]
        return [] if negate else [('id', '=', -1)]

    @staticmethod
    def order_month(tables):
        table, _ = tables[None]
        return [table.start_date]

    def get_owed_by(self, name):
        if self.net:
            return 'company' if self.net > 0 else 'partner'

    def get_rec_name(self, name):
        return f'{self.number or self.month} {self.agent.party.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('agent.party.rec_name', operator, operand, *extra),
            ]

    @property
    def invoice_type(self):
        "A supplier invoice when the company owes, a customer one otherwise"
        return 'in' if (self.net or 0) >= 0 else 'out'

    @classmethod
    def create(cls, vlist):
        "The number is the month and the partner's code: 2026-11/P42"
        Agent = Pool().get('commission.agent')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('number') and values.get('agent'):
                start = values.get('start_date') or cls.default_start_date()
                agent = Agent(values['agent'])
                values['number'] = f"{start:%Y-%m}/{agent.party.code}"
        return super().create(vlist)

    @classmethod
    def copy(cls, statements, default=None):
        if not statements:
            return []
        raise StatementError(gettext('drop_commission.msg_statement_copy'))

    @classmethod
    def check_modification(cls, mode, statements, values=None,
            external=False):
        super().check_modification(
            mode, statements, values=values, external=external)
        if mode == 'delete':
            for statement in statements:
                if statement.state != 'draft':
                    raise StatementError(gettext(
                            'drop_commission.msg_statement_delete',
                            statement=statement.rec_name))

    @classmethod
    def delete(cls, statements):
        cls.release(statements)
        super().delete(statements)

    # --- computing ---

    @classmethod
    @ModelView.button
    def compute(cls, statements):
        """Gather the month's commissions of each partner and apply its
        rules again: a draft only, a confirmed statement is frozen"""
        pool = Pool()
        Commission = pool.get('commission')
        # a second "Compute" or "Confirm" waits for the first, then redoes it
        cls.lock(statements)
        for statement in statements:
            if statement.state != 'draft':
                raise StatementError(gettext(
                        'drop_commission.msg_statement_frozen',
                        statement=statement.rec_name))
        cls.release(statements)
        cls.gather(statements)
        to_save = []
        for statement in statements:
            to_save.extend(statement.month_lines())
        for sub in grouped_slice(to_save, 1000):
            Commission.save(list(sub))
        cls.total(statements)

    @classmethod
    def release(cls, statements):
        "Forget the lines a draft gathered or made"
        pool = Pool()
        Commission = pool.get('commission')
        commission = Commission.__table__()
        cursor = Transaction().connection.cursor()
        ids = [s.id for s in statements if s.state == 'draft']
        if not ids:
            return
        made = Commission.search([
                ('drop_statement', 'in', ids),
                ('drop_kind', '!=', 'order'),
                ('invoice_line', '=', None),
                ])
        Commission.delete(made)
        for sub in grouped_slice(ids, 1000):
            cursor.execute(*commission.update(
                    [commission.drop_statement], [Null],
                    where=commission.drop_statement.in_(list(sub))))
        cls._forget(Commission)

    @classmethod
    def gather(cls, statements):
        """Link each statement to the commissions its partner earned in the
        month (dated, not yet settled)"""
        Commission = Pool().get('commission')
        commission = Commission.__table__()
        cursor = Transaction().connection.cursor()
        for statement in statements:
            cursor.execute(*commission.update(
                    [commission.drop_statement], [statement.id],
                    where=(commission.agent == statement.agent.id)
                    & (commission.drop_statement == Null)
                    & (commission.invoice_line == Null)
                    & (commission.drop_kind == 'order')
                    & (commission.date >= statement.start_date)
                    & (commission.date <= statement.end_date)))
        cls._forget(Commission)

    @staticmethod
    def _forget(Model):
        "Drop what the transaction cached of the model: SQL changed it"
        transaction = Transaction()
        transaction.counter += 1
        for cache in transaction.cache.values():
            if Model.__name__ in cache:
                cache[Model.__name__].clear()

    @classmethod
    def total(cls, statements):
        "Sum each statement's lines by kind, in one query"
        pool = Pool()
        Commission = pool.get('commission')
        commission = Commission.__table__()
        cursor = Transaction().connection.cursor()
        sums = defaultdict(lambda: defaultdict(Decimal))
        for sub in grouped_slice([s.id for s in statements], 1000):
            cursor.execute(*commission.select(
                    commission.drop_statement, commission.drop_kind,
                    Sum(commission.amount),
                    where=commission.drop_statement.in_(list(sub)),
                    group_by=[commission.drop_statement,
                        commission.drop_kind]))
            for statement, kind, amount in cursor:
                sums[statement][kind] = Decimal(amount or 0)
        now = dt.datetime.now()
        for statement in statements:
            kinds = sums[statement.id]
            round_ = statement.agent.currency.round
            statement.earned = round_(
                kinds['order'] + kinds['tier'] + kinds['bag'])
            statement.bonus = round_(kinds['bonus'])
            statement.penalty = round_(-kinds['penalty'])
            statement.collected = round_(-kinds['cash'])
            statement.net = round_(sum(kinds.values(), Decimal(0)))
            statement.computed_at = now
        cls.save(statements)

    # --- settling ---

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, statements):
        """Freeze the figures and make the commission invoice: the company's
        to the partner, or the partner's to the company"""
        cls.compute(statements)
        for statement in statements:
            party = statement.agent.party
            if statement.net and not party.address_get(type='invoice'):
                raise StatementError(gettext(
                        'drop_commission.msg_statement_no_address',
                        statement=statement.rec_name, partner=party.rec_name))
        invoiced = cls.make_invoices(statements)
        # nothing to settle: no line at all
        cls.write([s for s in statements if s not in invoiced],
            {'state': 'invoiced'})
        # printing is slow: the queue attaches each PDF after the commit
        for statement in invoiced:
            cls.__queue__.attach([statement])

    @classmethod
    def make_invoices(cls, statements):
        """One commission invoice per statement with lines, made by Tryton's
        commission invoicing (its invoice, one line per kind and product);
        the lines are linked to it in one query per invoice line, as a big
        partner's month has 100,000 of them. Return the statements
        invoiced."""
        pool = Pool()
        Commission = pool.get('commission')
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Product = pool.get('product.product')
        commission = Commission.__table__()
        cursor = Transaction().connection.cursor()
        invoiced, groups = [], []
        for statement in statements:
            cursor.execute(*commission.select(
                    commission.drop_kind, commission.product,
                    Sum(commission.amount),
                    where=(commission.drop_statement == statement.id)
                    & (commission.invoice_line == Null),
                    group_by=[commission.drop_kind, commission.product],
                    order_by=[commission.drop_kind, commission.product]))
            sums = cursor.fetchall()
            if not sums:
                continue
            key = {
                'agent': statement.agent, 'type': statement.invoice_type,
                'drop_statement': statement,
                }
            invoice = Commission._get_invoice(key)
            for kind, product, amount in sums:
                # Tryton's line of the group's commissions, from their total
                total = _Total(Decimal(amount), statement.agent)
                line = Commission._get_invoice_line(
                    dict(key, product=Product(product), drop_kind=kind),
                    invoice, [total])
                groups.append((line, statement.id, kind, product))
            statement.invoice = invoice
            invoiced.append(statement)
        Invoice.save([s.invoice for s in invoiced])
        InvoiceLine.save([g[0] for g in groups])
        for line, statement, kind, product in groups:
            cursor.execute(*commission.update(
                    [commission.invoice_line], [line.id],
                    where=(commission.drop_statement == statement)
                    & (commission.drop_kind == kind)
                    & (commission.product == product)
                    & (commission.invoice_line == Null)))
        cls._forget(Commission)
        Invoice.update_taxes([s.invoice for s in invoiced])
        cls.save(invoiced)
        return invoiced

    @classmethod
    def attach(cls, statements):
        "Each statement's PDF as an attachment of its invoice"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Report = pool.get('drop.commission.statement', type='report')
        attachments = []
        for statement in statements:
            if not statement.invoice:
                continue
            with Transaction().set_context(
                    language=statement.agent.party.lang.code
                    if statement.agent.party.lang else None):
                ext, content, _, _ = Report.execute([statement.id], {})
            attachments.append(Attachment(
                    resource=statement.invoice,
                    name=statement.file_name(ext), type='data',
                    data=content))
        Attachment.save(attachments)

    def file_name(self, ext):
        return f'statement-{self.number.replace("/", "-")}.{ext}'

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, statements):
        "Undo a confirmation whose invoice the accountants have not posted"
        Invoice = Pool().get('account.invoice')
        invoices = []
        for statement in statements:
            if statement.invoice:
                if statement.invoice.state != 'draft':
                    raise StatementError(gettext(
                            'drop_commission.msg_statement_invoice_posted',
                            statement=statement.rec_name,
                            invoice=statement.invoice.rec_name))
                invoices.append(statement.invoice)
        cls.write(statements, {'invoice': None})
        Invoice.delete(invoices)

    @classmethod
    @Workflow.transition('invoiced')
    def invoiced(cls, statements):
        "The accountants posted the statement's invoice"
        pass

    # --- the month's statements of every partner ---

    @classmethod
    def create_month(cls, date, agents=None):
        """Draft statements for the date's month of the partners (all with
        points by default) that have none, and compute every draft one"""
        pool = Pool()
        Agent = pool.get('commission.agent')
        start, end = month_of(date)
        if agents is None:
            agents = Agent.search([
                    ('type_', '=', 'agent'),
                    ('drop_points', '!=', None),
                    ])
        existing = {s.agent: s for s in cls.search([
                    ('start_date', '=', start),
                    ('agent', 'in', [a.id for a in agents]),
                    ])}
        new = [cls(company=a.company, agent=a, start_date=start,
                end_date=end)
            for a in agents if a not in existing]
        cls.save(new)
        drafts = new + [s for s in existing.values() if s.state == 'draft']
        cls.compute(drafts)
        return drafts + [s for s in existing.values() if s.state != 'draft']

    @classmethod
    def close_months(cls):
        """Cron: once a month has ended, its drafts are computed with the
        month's full volume"""
        Date = Pool().get('ir.date')
        last, _ = month_of(Date.today() - relativedelta(months=1))
        cls.create_month(last)


class _Total:
    "The commissions of an invoice line as Tryton's line builder reads them"

    def __init__(self, amount, agent):
        self.amount = amount
        self.type_ = {'agent': 'out', 'principal': 'in'}[agent.type_]
