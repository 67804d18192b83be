# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Commission statements of a month, computed through the back office's
JSON-RPC as the registry's "Compute" button does it: one partner with
1,000, 10,000 and 100,000 orders, then 1,000 partners with 100 orders each
in one call.  The time per order must stay flat as the month grows.

The partners, their points and the month's earned commissions (one per
order, on the demo's marketplace plan with its volume tiers and bonus) are
written beforehand directly in the database: the orders are clones of a
demo order, the commissions are what posting their invoices would have
made."""
import datetime as dt
import time

from .clients import RPC
from .intake import baseline, settle

ONE_PARTNER = [1000, 10000, 100000]
MANY = (1000, 100)  # partners, orders each
PLAN = "ПВЗ маркетплейсов"


def _one(server, query, *params):
    rows = server.sql(query, *params)
    return rows[0][0] if rows else None


def partners(server, count, prefix):
    """Partners with one marketplace point each, agents on the demo plan;
    return their agent ids"""
    plan = _one(server,
        "SELECT id FROM commission_plan WHERE name = %s", PLAN)
    company, currency = server.sql(
        "SELECT id, currency FROM company_company LIMIT 1")[0]
    point_type, warehouse = server.sql(
        "SELECT type, warehouse FROM drop_point WHERE type IN "
        "(SELECT id FROM drop_point_type WHERE code = 'PVZ') LIMIT 1")[0]
    server.sql(
        "INSERT INTO party_party (name, code, active, create_uid, "
        "create_date) SELECT %s || g, %s || g, true, 0, now() "
        "FROM generate_series(1, %s) g",
        f'Bench partner {prefix}', f'{prefix}-', count)
    server.sql(
        "INSERT INTO party_address (party, active, sequence, create_uid, "
        "create_date) SELECT id, true, 10, 0, now() FROM party_party "
        "WHERE code LIKE %s", f'{prefix}-%')
    server.sql(
        "INSERT INTO commission_agent (party, company, plan, currency, "
        "type_, active, create_uid, create_date) "
        "SELECT id, %s, %s, %s, 'agent', true, 0, now() FROM party_party "
        "WHERE code LIKE %s",
        company, plan, currency, f'{prefix}-%')
    server.sql(
        "INSERT INTO drop_point (company, code, name, type, party, "
        "warehouse, agent, active, create_uid, create_date) "
        "SELECT %s, p.code, p.name, %s, p.id, %s, a.id, true, 0, now() "
        "FROM commission_agent a JOIN party_party p ON p.id = a.party "
        "WHERE p.code LIKE %s",
        company, point_type, warehouse, f'{prefix}-%')
    return [r[0] for r in server.sql(
            "SELECT a.id FROM commission_agent a JOIN party_party p "
            "ON p.id = a.party WHERE p.code LIKE %s ORDER BY a.id",
            f'{prefix}-%')]


def orders(server, agents, count, date):
    """count orders for each agent, each with the commission its posted
    invoice earned (7% of 1,000.00), dated in the month"""
    columns = [r[0] for r in server.sql(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'sale_sale' AND column_name NOT IN "
            "('id', 'bag', 'number', 'drop_point')")]
    source = _one(server, "SELECT id FROM sale_sale ORDER BY id LIMIT 1")
    product = _one(server,
        "SELECT commission_product FROM commission_plan WHERE name = %s",
        PLAN)
    names = ', '.join(columns)
    for agent in agents:
        point = _one(server,
            "SELECT id FROM drop_point WHERE agent = %s", agent)
        server.sql(
            f"WITH o AS (INSERT INTO sale_sale ({names}, number, drop_point) "
            f"SELECT {names}, 'B' || %s || '-' || g, %s FROM sale_sale, "
            f"generate_series(1, %s) g WHERE sale_sale.id = %s "
            f"RETURNING id) "
            "INSERT INTO commission (agent, product, amount, base_amount, "
            "date, drop_kind, drop_order, create_uid, create_date) "
            "SELECT %s, %s, 70, 1000, %s, 'order', o.id, 0, now() FROM o",
            agent, point, count, source, agent, product, date)


def statements(server, agents, date):
    "Draft statements of the month for the agents"
    start = date.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(1)
    company = _one(server, "SELECT id FROM company_company LIMIT 1")
    server.sql(
        "INSERT INTO drop_commission_statement (company, agent, number, "
        "start_date, end_date, state, create_uid, create_date) "
        "SELECT %s, a, 'BENCH-' || a, %s, %s, 'draft', 0, now() "
        "FROM unnest(%s::int[]) a",
        company, start, end, agents)
    return [r[0] for r in server.sql(
            "SELECT id FROM drop_commission_statement WHERE agent = ANY(%s) "
            "ORDER BY id", agents)]


def click(rpc, button, ids):
    "Seconds of the registry's button on the statements"
    context = rpc.call('model.res.user.get_preferences', [True, {}])
    started = time.perf_counter()
    rpc.call(f'model.drop.commission.statement.{button}', [ids, context],
        timeout=600)
    return time.perf_counter() - started


def figures(server, table, requests, database='demo'):
    """One row per month: its compute's time per order against the
    baseline, then the confirm's for the one-partner months; then the
    goals: the time per order of the 100,000-order months against the
    1,000-order month's"""
    date = dt.date.today()
    rpc = RPC(server)
    base = baseline(server, table, database, 1, requests, rpc)
    rows = []
    months = [(f'1 partner x {n:,} orders', 1, n) for n in ONE_PARTNER]
    months.append((f'{MANY[0]:,} partners x {MANY[1]}', *MANY))
    for index, (name, partner_count, each) in enumerate(months):
        agents = partners(server, partner_count, f'BP{index}')
        orders(server, agents, each, date)
        ids = statements(server, agents, date)
        settle(server)
        total = partner_count * each
        seconds = click(rpc, 'compute', ids)
        earned = server.sql(
            "SELECT SUM(order_count), SUM(earned) FROM "
            "drop_commission_statement WHERE id = ANY(%s)", ids)[0]
        assert earned[0] == total, (earned, total)
        rows.append((name, total, table.add(
                    f'statement compute per order, {name}', database, 1,
                    _per_order(seconds, total), base)))
        if partner_count > 1:
            continue
        # confirming makes the invoice and links every line to it; the
        # queue worker prints the PDF (its first 2,000 lines) after it
        seconds = click(rpc, 'confirm', ids)
        invoiced = server.sql(
            "SELECT COUNT(*) FROM commission c JOIN "
            "drop_commission_statement s ON s.id = c.drop_statement "
            "WHERE s.id = ANY(%s) AND c.invoice_line IS NULL", ids)[0][0]
        assert invoiced == 0, invoiced
        table.add(f'statement confirm per order, {name}', database, 1,
            _per_order(seconds, total), base)
    first = rows[0][-1].result['median']
    for name, total, row in rows:
        if total == ONE_PARTNER[-1]:
            table.goal(f'statement per order, {name}',
                f'x {ONE_PARTNER[0]:,} orders',
                row.result['median'] / first, 1.5)


def _per_order(seconds, total):
    return {'median': seconds / total, 'p95': None, 'throughput': None,
        'count': total, 'elapsed': seconds}
