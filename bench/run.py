#!/usr/bin/env python3
# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Benchmarks, each figure a ratio against a baseline measured in the same
run on the same server just before it, at the same concurrency: trytond's
own JSON-RPC create of one party with one phone.  The servers run as in
production: PostgreSQL, gunicorn with 2 workers, trytond-worker running the
queue ([queue] worker = True).  Requests go to 127.0.0.1 only, bounded in
count (REQUESTS a row) and in time (clients.DEADLINE a row).

Groups of figures (BENCH=<group> runs one, BENCH=a,b some):
- intake: the intake request at 1, 8 and 32 clients (bench/intake.py);
- receipt: the customer's receipt page at 1 and 32 clients, the payment
  gateway's notice, new and again (bench/receipt.py);
- handover: acts of 10, 100 and 1,000 bags, time per bag
  (bench/handover.py);
- commission: statements of one partner with 1,000 to 100,000 orders and
  of 1,000 partners with 100 orders, time per order (bench/commission.py);
- growth: the intake request and the clerk's list page on the demo
  database and on one grown to 1,000,000 bags and 200,000 customers
  (bench/growth.py; the grown database is built once and kept).

It prints each row as it is measured, then the whole table and the goals,
each met or MISSED.  It exits non-zero on an error, not on a missed goal.

usage: bin/bench [REQUESTS]   (requests a row, 200)"""
import os
import pathlib
import platform
import signal
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench import commission, growth, handover, intake, receipt  # noqa: E402
from bench.table import Table  # noqa: E402
from tests.reliability.production import QUEUE, WORKERS  # noqa: E402
from tests.server import DemoServer  # noqa: E402

# a clerk accepts hundreds of bags within the hour here, and the codes are
# all sent before a row's intake requests
OPTIONS = {**QUEUE, 'sms': {
        'codes_per_phone': '1000000', 'codes_per_sender': '1000000',
        'resend_delay': '0', 'code_lifetime': '86400'}}
# the groups measured on the demo database's server, in order
GROUPS = {
    'intake': intake.figures,
    'receipt': receipt.figures,
    'handover': handover.figures,
    'commission': commission.figures,
    }


def machine():
    cpus = os.cpu_count()
    with open('/proc/meminfo') as meminfo:
        memory = int(meminfo.readline().split()[1]) / 2 ** 20
    load = ', '.join(f'{x:.1f}' for x in os.getloadavg())
    return (f"{platform.node()}: {cpus} CPUs, {memory:.0f} GiB, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average {load}")


def main(requests=200):
    only = set(filter(None, os.environ.get('BENCH', '').split(',')))
    unknown = only - set(GROUPS) - {'growth'}
    if unknown:
        raise SystemExit(f"unknown BENCH group: {', '.join(unknown)}")
    # stopped by a signal, the servers are stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    table = Table()
    print(f"bench: {time.strftime('%Y-%m-%d %H:%M %Z')}, {machine()}")
    print(f"servers: gunicorn with {WORKERS} workers, trytond-worker, "
        f"PostgreSQL; {requests} requests a row")
    table.header()
    groups = [g for g in GROUPS if not only or g in only]
    if groups:
        server = DemoServer(name='bench', options=OPTIONS)
        try:
            server.start(workers=WORKERS, worker=True)
            table.database('demo', "a new copy of the demo database "
                "(a few bags and parties) on each server")
            for group in groups:
                GROUPS[group](server, table, requests)
        finally:
            server.stop()
    if not only or 'growth' in only:
        growth.figures(table, requests, OPTIONS, WORKERS, True)
    table.print()
    print(f"bench ran {(time.monotonic() - started) / 60:.1f} min, "
        f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
