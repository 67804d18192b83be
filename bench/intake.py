# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The intake request ("Accept bag": a verified phone, a seal, a count) over
HTTP, for a new customer each time, at 1, 8 and 32 concurrent clients, each
client a clerk's browser of its own (one clerk, signed in on 32 devices).

Before each row, untimed, the codes are sent and checked as the clerk does
(the queue worker sends the code's text message, read from the outbox as it
arrives), so that the timed requests are intake requests only; their
throughput is the intake requests answered per second.  The bag's own text
message (the receipt link) is queued by the request and sent by the worker
meanwhile, as in production."""
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from trytond.modules.drop_point import demo

from .clients import RPC, Outbox, Portal, measure, unique

CLERK = demo.POINTS[0][-1]
CONCURRENCY = [1, 8, 32]
# clients checking codes before a row: the codes are hashed with scrypt
PREPARERS = 8
BASELINE = 'baseline: JSON-RPC create party'
FIGURE = 'intake request, new customer'


class Clerk:
    "A clerk's browser at the intake of the point"

    def __init__(self, server, outbox):
        self.portal = Portal(server, CLERK)
        self.outbox = outbox
        self.point = int(
            re.search(r'/point/(\d+)/intake', self.portal.get('/'))[1])
        self.path = f'/point/{self.point}/intake'

    def prepare(self, phone=None):
        """Send a code to a new customer's phone and check it: return the
        form of an intake request"""
        n = unique()
        phone = phone or f'+7913{n:07d}'
        before = self.outbox.previous(phone)
        self.portal.post(f'{self.path}/code', {'phone': phone})
        code = self.outbox.code(phone, after=before)
        form = self.portal.client.post(
            f'{self.path}/verify', phone=phone, code=code).checked().form()
        if 'verification' not in form:
            raise RuntimeError(f"the code of {phone} was refused")
        form.update(seal=f'BENCH{n:07d}', item_count='3')
        return form

    def accept(self, form):
        "Send the intake request; return its seconds"
        started = time.perf_counter()
        page = self.portal.post(f'{self.path}/accept', form)
        elapsed = time.perf_counter() - started
        if 'id="done"' not in page:
            raise RuntimeError(f"intake refused for {form['phone']}")
        return elapsed

    def bags(self):
        "The clerk's list of the point's bags"
        page = self.portal.get(f'/point/{self.point}/bags')
        if 'id="bags"' not in page and 'id="no-bags"' not in page:
            raise RuntimeError("the point's bags page did not show")


def prepared(clerks, count):
    "count intake forms, ready to send, as a source the clients draw from"
    with ThreadPoolExecutor(min(PREPARERS, len(clerks))) as pool:
        forms = list(pool.map(
                lambda i: clerks[i % len(clerks)].prepare(), range(count)))
    lock = threading.Lock()

    def take():
        with lock:
            return forms.pop()
    return take


def accepting(clerks, take):
    "One intake request per call of each client"
    return [lambda c=c: c.accept(take()) for c in clerks]


def settle(server, timeout=120):
    """Wait for the queue worker to finish what the last figures queued
    (text messages, PDFs), so that it does not run during the next"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (pending,), = server.sql(
            "SELECT COUNT(*) FROM ir_queue WHERE finished_at IS NULL "
            "AND (scheduled_at IS NULL OR scheduled_at <= "
            "CURRENT_TIMESTAMP AT TIME ZONE 'UTC')")
        if not pending:
            return
        time.sleep(0.5)
    print(f"  (the queue still had {pending} tasks after {timeout} s)",
        flush=True)


def baseline(server, table, database, clients, requests, rpc=None):
    "Measure and print the baseline at the concurrency; return it"
    rpc = rpc or RPC(server)
    settle(server)
    result = measure([rpc.create_party] * clients, requests)
    table.add(BASELINE, database, clients, result)
    return result


def figures(server, table, requests, database='demo'):
    """The intake request at each concurrency, each after the baseline at
    the same concurrency; then its goals"""
    outbox = Outbox(server)
    clerks = [Clerk(server, outbox) for _ in range(max(CONCURRENCY))]
    # one back-office session for all the baseline's clients: trytond
    # checks a request's session against all those of its user and IP
    rpc = RPC(server)
    rows = {}
    for clients in CONCURRENCY:
        base = baseline(server, table, database, clients, requests, rpc)
        take = prepared(clerks, requests + clients)
        settle(server)
        result = measure(accepting(clerks[:clients], take), requests)
        rows[clients] = table.add(FIGURE, database, clients, result, base)
    for clients, row in rows.items():
        table.goal(
            f"intake median, {clients} client{'s' if clients > 1 else ''}",
            'x baseline',
            row.ratio('median'), 3)
    table.goal('intake p95, 32 clients', 'x baseline p95',
        rows[32].ratio('p95'), 5)
    table.goal('intake throughput, 32 clients', 'x baseline req/s',
        rows[32].ratio('throughput'), 0.4, at_least=True)
