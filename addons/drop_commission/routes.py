# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The partner's statements in the portal: read only, every line with its
order and bag, no customer; as PDF and CSV. The record rule shows a point's
manager the statements of its own partner only."""
import os

from trytond.modules.drop_point import portal as portal_
from trytond.modules.drop_point.portal import route
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.transaction import Transaction, without_check_access

from .report import statement_csv, statement_rows

portal_.register_module('drop_commission', os.path.dirname(__file__))

# a month's first lines on the phone; the CSV has them all
PAGE_LINES = 500
LIST = 'drop_commission/statements.html'
DETAIL = 'drop_commission/statement.html'


def _statement(statement_id):
    "The statement if the rules let the web user read it"
    Statement = Pool().get('drop.commission.statement')
    statements = Statement.search([('id', '=', statement_id)])
    return statements[0] if statements else None


@route('/statements')
def statements(portal):
    Statement = Pool().get('drop.commission.statement')
    statements = Statement.search([])
    # the rules chose them: their partner and figures are the reader's
    with without_check_access():
        return portal.render(LIST, statements=statements)


@route('/statements/<id:statement_id>')
def statement(portal, statement_id):
    statement = _statement(statement_id)
    if not statement:
        return portal.not_found()
    with without_check_access():
        rows = statement_rows(statement, limit=PAGE_LINES + 1)
        return portal.render(
            DETAIL, statement=statement, rows=rows[:PAGE_LINES],
            more=len(rows) > PAGE_LINES, page_lines=PAGE_LINES)


def _download(content, mimetype, name):
    response = Response(content, content_type=mimetype)
    response.headers['Content-Disposition'] = (
        f'attachment; filename="{name}"')
    response.headers['Cache-Control'] = 'no-store'
    return response


@route('/statements/<id:statement_id>/pdf')
def statement_pdf(portal, statement_id):
    statement = _statement(statement_id)
    if not statement:
        return portal.not_found()
    Report = Pool().get('drop.commission.statement', type='report')
    with without_check_access(), Transaction().set_context(
            language=portal.language):
        _, content, _, _ = Report.execute([statement.id], {})
    return _download(
        bytes(content), 'application/pdf', statement.file_name('pdf'))


@route('/statements/<id:statement_id>/csv')
def statement_csv_(portal, statement_id):
    statement = _statement(statement_id)
    if not statement:
        return portal.not_found()
    with without_check_access():
        # a spreadsheet reads the BOM as UTF-8
        content = '\ufeff' + statement_csv(statement)
    return _download(
        content.encode('utf-8'), 'text/csv; charset=utf-8',
        statement.file_name('csv'))
