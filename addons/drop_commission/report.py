# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The statement as a PDF and as CSV: the same lines the back office and the
partner's portal show."""
import csv
import io

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

# a longer statement prints its first lines; its CSV has them all
PDF_LINES = 2000
COLUMNS = ['kind', 'rule', 'date', 'order', 'seal', 'quantity', 'note',
    'base', 'amount']


class StatementReport(Report):
    "The printed commission statement"
    __name__ = 'drop.commission.statement'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        # one more than printed: the template says when some are left out
        context['rows'] = lambda s: statement_rows(s, limit=PDF_LINES + 1)
        context['money'] = money
        context['pdf_lines'] = PDF_LINES
        return context


def money(amount, currency):
    Lang = Pool().get('ir.lang')
    if amount is None:
        return ''
    return Lang.get().currency(amount, currency, symbol=False, grouping=True)


def statement_csv(statement):
    "The statement's lines as CSV, headed in the reader's language"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(f'drop_commission.msg_column_{c}')
            for c in COLUMNS])
    for row in statement_rows(statement):
        writer.writerow([
                row['kind'], row['rule'],
                row['date'].isoformat() if row['date'] else '',
                row['order'], row['seal'],
                '' if row['quantity'] is None else row['quantity'],
                row['note'],
                '' if row['base'] is None else str(row['base']),
                str(row['amount'])])
    writer.writerow([])
    for name in ['earned', 'bonus', 'penalty', 'collected', 'net']:
        writer.writerow([gettext(f'drop_commission.msg_total_{name}')]
            + [''] * (len(COLUMNS) - 2) + [str(getattr(statement, name))])
    return out.getvalue()


def statement_rows(statement, limit=None):
    """The statement's lines as both sides read them: kind, rule, order and
    bag, quantity, how it was worked out, base and amount; no customer.
    Orders first, then the month's rules, then the cash collected; the
    first limit of them."""
    pool = Pool()
    Commission = pool.get('commission')
    commission = Commission.__table__()
    cursor = Transaction().connection.cursor()
    kinds = Commission.fields_get(['drop_kind'])['drop_kind']['selection']
    labels, rank = dict(kinds), {k: i for i, (k, _) in enumerate(kinds)}
    round_ = statement.agent.currency.round
    cursor.execute(*commission.select(
            commission.id, commission.drop_kind, commission.drop_order,
            where=commission.drop_statement == statement.id))
    ids = [i for i, *_ in sorted(cursor,
            key=lambda r: (rank.get(r[1], 0), r[2] or 0, r[0]))][:limit]
    rows = []
    # browsed by a thousand: a record carries the list it was browsed with
    for sub in grouped_slice(ids, 1000):
        rows.extend({
                'kind': labels.get(line.drop_kind, ''),
                'rule': line.drop_rule_name,
                'date': line.date,
                'order': line.drop_order.number if line.drop_order else '',
                'seal': line.drop_bag.seal if line.drop_bag else '',
                'quantity': line.drop_quantity,
                'note': line.drop_note or '',
                'base': (round_(line.base_amount)
                    if line.base_amount is not None else None),
                'amount': line.amount,
                } for line in Commission.browse(list(sub)))
    return rows
