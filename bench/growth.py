# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Database growth: the intake request and the clerk's list of the point's
bags on a copy of the demo database, then on a copy grown to 1,000,000 bags
and 200,000 customers, each against the baseline measured on its own
server; the grown ratio must stay within 1.5x of the demo's.

The grown database is the demo database filled by SQL (generate_series,
ids taken from the tables' sequences) as the product makes its records:
GROWN_POINTS more points with a clerk each (made through trytond, with their
stock locations), customers with their mobile phone, and over DAYS days the
bags, each with its one-time code (consumed), its lot and its custody moves
(from the customer to the point, and the last one to where the bag's state
says it is: courier, factory, point or back to the customer).  The bench's
point (the demo's first) holds HOT of the bags, all older than its list's
last days, so that its list shows the same bags on both databases while its
history is a busy point's.  Not made: orders, payments, handover acts and
text messages, which neither figure reads.

The grown database is kept as a PostgreSQL template named after the sources
and this file, so that a later run only copies it."""
import hashlib
import json
import pathlib
import subprocess
import time

from tests import templates
from tests.server import DATABASE, ROOT, VENV_BIN, DemoServer

from .clients import measure
from .intake import Clerk, Outbox, baseline, prepared, settle

BAGS = 1_000_000
CUSTOMERS = 200_000
GROWN_POINTS = 100
DAYS = 730
HOT = 10  # one bag in HOT is the bench point's
PHONES = 7950_000_0000  # the customers' phones: +7950 and 7 digits

POINTS_SOURCE = '''
Configuration = pool.get('drop.handover.configuration')
Location = pool.get('stock.location')
ModelData = pool.get('ir.model.data')
Party = pool.get('party.party')
Point = pool.get('drop.point')
Staff = pool.get('drop.point.staff')
Type = pool.get('drop.point.type')
WebUser = pool.get('web.user')
first, = Point.search([('code', '=', code)])
clerk, = WebUser.search([('email', '=', email)])
courier, = WebUser.search([('courier', '=', True)], limit=1)
types = Type.search([])
company = first.company
with transaction.set_context(company=company.id):
    parties = Party.create([{'name': f'Партнёр {i}'} for i in range(count)])
    points = Point.create([{
        'code': f'GP-{i:03d}', 'name': f'Пункт {i}', 'company': company.id,
        'type': types[i % len(types)].id, 'party': p.id,
        'warehouse': first.warehouse.id}
        for i, p in enumerate(parties)])
    clerks = WebUser.create([{
        'email': f'clerk.gp{i:03d}@bench.example', 'email_valid': True}
        for i in range(count)])
    Staff.create([{'point': p.id, 'web_user': c.id, 'role': 'clerk'}
        for p, c in zip(points, clerks)])
product = Configuration(1).bag_product
result = {
    'company': company.id, 'currency': company.currency.id,
    'product': product.id, 'unit': product.default_uom.id,
    'customer': ModelData.get_id('stock', 'location_customer'),
    'factory': first.warehouse.storage_location.id,
    'courier': courier.custody_location.id,
    'hot': [first.id, first.location.storage_location.id, clerk.id],
    'points': [[p.id, p.location.storage_location.id, c.id]
        for p, c in zip(points, clerks)],
    }
'''

# Each bag n (1..BAGS) as a row of numbers: its point (the bench point for
# one in HOT, older than 8 days), its age in seconds, its customer; its
# state follows from its age (and one in 37 is cancelled)
BAGS_SQL = f'''
CREATE TEMP TABLE gen_bag AS
SELECT n, point, storage, clerk, customer, accepted_at,
    CASE WHEN n % 37 = 0 THEN 'cancelled'
        WHEN age < 1 THEN 'accepted' WHEN age < 2 THEN 'in_transit'
        WHEN age < 3 THEN 'received' WHEN age < 5 THEN 'processing'
        WHEN age < 6 THEN 'ready' WHEN age < 7 THEN 'returning'
        WHEN age < 10 THEN 'at_point' ELSE 'issued' END AS state
FROM (
    SELECT n, p.point, p.storage, p.clerk,
        1 + (n::bigint * 7919) % {CUSTOMERS} AS customer,
        now() AT TIME ZONE 'UTC' - make_interval(secs => s.seconds)
            AS accepted_at,
        s.seconds / 86400.0 AS age
    FROM generate_series(1, {BAGS}) n
    CROSS JOIN LATERAL (SELECT CASE WHEN n % {HOT} = 0
            THEN 8 * 86400 + (n::bigint * 104729) % ({DAYS - 8} * 86400)
            ELSE (n::bigint * 104729) % ({DAYS} * 86400) END AS seconds) s
    JOIN gen_point p ON p.k = CASE WHEN n % {HOT} = 0 THEN 0
        ELSE 1 + n % (SELECT COUNT(*) - 1 FROM gen_point) END
    ) b
'''

STEPS = [
    # customers: a party with its mobile phone, as intake makes them
    ("customers", '''
INSERT INTO party_party (id, name, code, code_alnum, code_digit, active,
    create_uid, create_date)
SELECT %(party)s + n, 'Клиент ' || pg_temp.phone_display(n), 'GC' || n,
    'GC' || n, n, true, 0,
    now() AT TIME ZONE 'UTC' - make_interval(days => n %% 730)
FROM generate_series(1, %(customers)s) n;
INSERT INTO party_contact_mechanism (party, type, value, value_compact,
    active, sequence, create_uid, create_date)
SELECT %(party)s + n, 'mobile', pg_temp.phone_display(n),
    '+' || (%(phones)s + n), true, 10, 0, now() AT TIME ZONE 'UTC'
FROM generate_series(1, %(customers)s) n;
'''),
    ("bags' codes", '''
INSERT INTO sms_verification (id, phone, purpose, code_hash, sender,
    expires_at, attempts, state, verified_at, consumed_at, create_uid,
    create_date)
SELECT %(verification)s + n, '+' || (%(phones)s + customer), 'intake',
    'scrypt$' || md5('s' || n) || '$' || md5('c' || n) || md5('d' || n),
    'web.user,' || clerk, accepted_at + interval '9 minutes', 0,
    'consumed', accepted_at - interval '30 seconds', accepted_at, 0,
    accepted_at - interval '1 minute'
FROM gen_bag;
'''),
    ("bags' lots", '''
INSERT INTO stock_lot (id, number, product, active, create_uid, create_date)
SELECT %(lot)s + n, 'G' || lpad(n::text, 8, '0'), %(product)s, true, 0,
    accepted_at
FROM gen_bag;
'''),
    ("bags", '''
INSERT INTO drop_bag (id, company, seal, drop_point, customer, phone,
    verification, phone_verified_at, item_count, clerk, accepted_at,
    request_id, receipt_token_hash, state, lot, received_at, received_by,
    seal_intact, counted_items, cancel_reason, create_uid, create_date)
SELECT %(bag)s + n, %(company)s, 'G' || lpad(n::text, 8, '0'), point,
    %(party)s + customer, '+' || (%(phones)s + customer), %(verification)s + n,
    accepted_at - interval '30 seconds', 1 + n %% 5, clerk, accepted_at,
    md5('r' || n), md5('t' || n) || md5('u' || n), state, %(lot)s + n,
    CASE WHEN state NOT IN ('accepted', 'in_transit', 'cancelled')
        THEN accepted_at + interval '2 days' END,
    CASE WHEN state NOT IN ('accepted', 'in_transit', 'cancelled')
        THEN 1 END,
    CASE WHEN state NOT IN ('accepted', 'in_transit', 'cancelled')
        THEN true END,
    CASE WHEN state NOT IN ('accepted', 'in_transit', 'cancelled')
        THEN 1 + n %% 5 END,
    CASE WHEN state = 'cancelled' THEN 'Отказ клиента' END,
    0, accepted_at
FROM gen_bag;
'''),
    ("custody moves", '''
INSERT INTO stock_move (company, product, unit, quantity, internal_quantity,
    lot, from_location, to_location, effective_date, planned_date, state,
    origin, unit_price, currency, cost_price, create_uid, create_date)
SELECT %(company)s, %(product)s, %(unit)s, 1, 1, %(lot)s + n, %(customer)s,
    storage, accepted_at::date, accepted_at::date, 'done',
    'drop.bag,' || (%(bag)s + n), 0, %(currency)s, 0, 0, accepted_at
FROM gen_bag
UNION ALL
SELECT %(company)s, %(product)s, %(unit)s, 1, 1, %(lot)s + n,
    CASE WHEN state = 'at_point' THEN %(courier)s ELSE storage END,
    CASE WHEN state IN ('in_transit', 'returning') THEN %(courier)s
        WHEN state IN ('received', 'processing', 'ready') THEN %(factory)s
        WHEN state = 'at_point' THEN storage ELSE %(customer)s END,
    (accepted_at + interval '1 day')::date,
    (accepted_at + interval '1 day')::date, 'done',
    'drop.bag,' || (%(bag)s + n),
    CASE WHEN state IN ('issued', 'cancelled') THEN 0 END,
    CASE WHEN state IN ('issued', 'cancelled') THEN %(currency)s END,
    CASE WHEN state IN ('issued', 'cancelled') THEN 0 END,
    0, accepted_at + interval '1 day'
FROM gen_bag WHERE state != 'accepted';
'''),
    ]

PHONE_DISPLAY = f'''
CREATE FUNCTION pg_temp.phone_display(n integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '+7 ' || substr(d, 2, 3) || ' ' || substr(d, 5, 3) || '-'
        || substr(d, 8, 2) || '-' || substr(d, 10, 2)
    FROM (SELECT ({PHONES} + n)::text AS d) x $$
'''

# the indexes of the tables, but their keys' and constraints'
INDEXES = '''
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname = ANY(%s) AND NOT i.indisprimary
    AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
'''
TABLES = ['party_party', 'party_contact_mechanism', 'sms_verification',
    'stock_lot', 'drop_bag', 'stock_move']


def template_name():
    "The grown database's template: of these sources and this file"
    digest = hashlib.sha256(templates.demo_key().encode())
    digest.update(pathlib.Path(__file__).read_bytes())
    return f'{DATABASE}_grown_{digest.hexdigest()[:12]}'


class GrownServer(DemoServer):
    "A server on a copy of the grown database, built when missing"

    def _create_database(self):
        template = template_name()
        exists = self.sql("SELECT 1 FROM pg_database WHERE datname = %s",
            template, database='postgres')
        if not exists:
            build(self, template)
        self.sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            database='postgres', autocommit=True)
        # a file copy: the database is a few gigabytes
        self.sql(f'CREATE DATABASE "{self.database}" TEMPLATE "{template}" '
            'STRATEGY FILE_COPY', database='postgres', autocommit=True)


def build(server, template):
    "Copy the demo database, grow it, keep it as the template"
    started = time.monotonic()
    builder = DemoServer(name='grown_build')
    builder._create_database()
    for name, in server.sql(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            f'{DATABASE}_grown_%', database='postgres'):
        if name != builder.database:
            server.sql(f'DROP DATABASE "{name}" WITH (FORCE)',
                database='postgres', autocommit=True)
    print(f"growing a copy of the demo database to {BAGS:,} bags and "
        f"{CUSTOMERS:,} customers (kept as {template})", flush=True)
    made = _points(builder)
    print(f"  {GROWN_POINTS} points: {time.monotonic() - started:.0f} s",
        flush=True)
    _fill(builder, made)
    print(f"  grown in {time.monotonic() - started:.0f} s", flush=True)
    server.sql(f'ALTER DATABASE "{builder.database}" RENAME TO "{template}"',
        database='postgres', autocommit=True)


def _points(builder):
    "More points with a clerk each, through trytond: return what SQL needs"
    from trytond.modules.drop_point import demo
    process = subprocess.run(
        [str(VENV_BIN / 'python'), str(ROOT / 'tests' / 'script.py'),
            builder.database],
        input=json.dumps({'source': POINTS_SOURCE, 'params': {
                    'code': demo.POINTS[0][0], 'email': demo.POINTS[0][-1],
                    'count': GROWN_POINTS}}),
        capture_output=True, text=True, env=builder.env, check=False)
    if process.returncode:
        raise RuntimeError(process.stderr)
    return json.loads(process.stdout.splitlines()[-1])


def _fill(builder, made):
    import psycopg
    params = {k: made[k] for k in [
            'company', 'currency', 'product', 'unit', 'customer', 'factory',
            'courier']}
    params.update(customers=CUSTOMERS, phones=PHONES)
    with psycopg.connect(builder.uri, dbname=builder.database) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '64MB'")
        (superuser,), = conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if superuser:
            # the rows are made consistent: no foreign key checks
            conn.execute("SET session_replication_role = replica")
        # an index is built faster once than row by row
        indexes = conn.execute(INDEXES, (TABLES,)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX {name}')
        conn.execute(PHONE_DISPLAY)
        conn.execute(
            "CREATE TEMP TABLE gen_point (k int, point int, storage int, "
            "clerk int)")
        with conn.cursor().copy("COPY gen_point FROM STDIN") as copy:
            for k, row in enumerate([made['hot']] + made['points']):
                copy.write_row([k, *row])
        conn.execute(BAGS_SQL)
        # the records' ids, taken from the tables' own sequences
        for table, key, count in [
                ('party_party', 'party', CUSTOMERS),
                ('sms_verification', 'verification', BAGS),
                ('stock_lot', 'lot', BAGS), ('drop_bag', 'bag', BAGS)]:
            (params[key],), = conn.execute(
                f"SELECT nextval('{table}_id_seq')").fetchall()
            conn.execute(f"SELECT setval('{table}_id_seq', %s)",
                (params[key] + count + 1,))
        for name, query in STEPS:
            started = time.monotonic()
            for statement in filter(str.strip, query.split(';')):
                conn.execute(statement, params)
            print(f"  {name}: {time.monotonic() - started:.0f} s", flush=True)
        started = time.monotonic()
        for _, definition in indexes:
            conn.execute(definition)
        print(f"  {len(indexes)} indexes: {time.monotonic() - started:.0f} s",
            flush=True)
    with psycopg.connect(
            builder.uri, dbname=builder.database, autocommit=True) as conn:
        started = time.monotonic()
        for table in TABLES:
            conn.execute(f'ANALYZE "{table}"')
        print(f"  ANALYZE: {time.monotonic() - started:.0f} s", flush=True)


def _size(server):
    (bags, customers, moves), = server.sql(
        "SELECT (SELECT COUNT(*) FROM drop_bag), "
        "(SELECT COUNT(*) FROM party_party), "
        "(SELECT COUNT(*) FROM stock_move)")
    return f"{bags:,} bags, {customers:,} parties, {moves:,} stock moves"


def _measure(server, table, label, requests):
    """Baseline, the point's bags page, the intake request, at 1 client:
    return the rows"""
    table.database(label, _size(server))
    base = baseline(server, table, label, 1, requests)
    clerk = Clerk(server, Outbox(server))
    settle(server)
    page = table.add("clerk's list of the point's bags", label, 1,
        measure([clerk.bags], requests), base)
    take = prepared([clerk], requests + 1)
    settle(server)
    intake = table.add('intake request, new customer', label, 1,
        measure([lambda: clerk.accept(take())], requests), base)
    return page, intake


def figures(table, requests, options, workers, worker):
    "Measure on the demo database, then on the grown one"
    rows = {}
    for label, server_class in [
            ('demo', DemoServer), ('1M bags', GrownServer)]:
        server = server_class(name='growth', options=options)
        try:
            server.start(workers=workers, worker=worker)
            rows[label] = _measure(server, table, label, requests)
        finally:
            server.stop()
            # the grown copy is a few gigabytes: its template stays
            server.sql(
                f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)',
                database='postgres', autocommit=True)
    for index, name in enumerate(["clerk's list page", 'intake median']):
        empty, grown = rows['demo'][index], rows['1M bags'][index]
        table.goal(f'{name}, 1M bags', 'x its demo value',
            grown.ratio('median') / empty.ratio('median'), 1.5)
