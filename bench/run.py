#!/usr/bin/env python3
# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Benchmarks, each figure a ratio against a baseline measured in the same
run on the same server: trytond's own JSON-RPC create of one party with one
phone.  The server runs as in production: PostgreSQL, gunicorn with 2
workers.  Requests go to 127.0.0.1 only, bounded in count.

The intake figures time the "Accept bag" request alone (the code is sent
and checked before it, untimed), for a new customer each time (a party is
created) or for one returning customer per client.  No queue worker runs,
so the customer's SMS goes to the outbox file within that request; with
production's worker it leaves the request.  Their req/s count whole
intakes: code, check and accept.

Then the customer's link (bench/receipt.py): the receipt page, and the
payment gateway's notice, new and received again.

Then handover acts of 10, 100 and 1,000 bags (bench/handover.py): the time
per bag, against the 10-bag act's.

Then commission statements (bench/commission.py): one partner's month of
1,000 to 100,000 orders, and 1,000 partners of 100 orders; the time per
order, against the 1,000-order month's.

BENCH=commission (or handover, receipt, intake) runs those figures only.

usage: bin/bench [REQUESTS]   (requests per figure and concurrency, 200)"""
import base64
import http.cookiejar
import itertools
import json
import os
import pathlib
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench import commission, handover, receipt  # noqa: E402
from tests.server import DemoServer  # noqa: E402
from trytond.modules.drop_point import demo  # noqa: E402

CONCURRENCY = [1, 8]
_counter = itertools.count()


class RPC:
    "A back-office JSON-RPC session"

    def __init__(self, server, login, password):
        self.url = f'{server.url}/{server.database}/rpc/'
        user_id, session, *_ = self._post(
            'common.db.login', [login, {'password': password}, 'en'])
        token = f'{login}:{user_id}:{session}'.encode()
        self.headers = {
            'Authorization': 'Session ' + base64.b64encode(token).decode()}

    def call(self, method, params, timeout=60):
        return self._post(method, params, self.headers, timeout=timeout)

    def _post(self, method, params, headers=None, timeout=60):
        request = urllib.request.Request(
            self.url, data=json.dumps({
                    'id': 1, 'method': method, 'params': params}).encode(),
            headers={'Content-Type': 'application/json', **(headers or {})})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
        if answer.get('error'):
            raise RuntimeError(answer['error'])
        return answer['result']

    def create_party(self):
        n = next(_counter)
        self._post('model.party.party.create', [[{
                        'name': f"Bench customer {n}",
                        'contact_mechanisms': [['create', [{
                                        'type': 'phone',
                                        'value': f'+7912{n:07d}'}]]],
                        }], {}], self.headers)


class Portal:
    "A partner's browser: cookies, CSRF token"

    def __init__(self, server, email=None, password=demo.PASSWORD):
        self.base = server.portal
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies))
        if email:
            page = self.get('/login')
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
            self.post('/login', {
                    'csrf_token': token, 'email': email,
                    'password': password})

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:
            return response.read().decode()

    @property
    def csrf_token(self):
        return next(c.value for c in self.cookies if c.name == 'dp_csrf')


class Intake:
    """A clerk accepting bags, each for a new customer or all for the same
    one: sending and checking the code prepare the bag, only the "Accept
    bag" request is timed"""
    _clients = itertools.count()

    def __init__(self, server, email, returning=False):
        self.portal = Portal(server, email)
        # a phone of its own per client: codes are checked per phone
        client = next(self._clients)
        self.returning = f'+7915{client:07d}' if returning else None
        self.outbox = server.directory / 'sms-outbox.jsonl'
        point = re.search(r'/point/(\d+)/intake', self.portal.get('/'))[1]
        self.path = f'/point/{point}/intake'

    def code(self, phone):
        for line in reversed(self.outbox.read_text().splitlines()):
            message = json.loads(line)
            if message['phone'] == phone:
                return re.search(r'\d{6}', message['text'])[0]

    def __call__(self):
        n = next(_counter)
        phone = self.returning or f'+7913{n:07d}'
        form = {'csrf_token': self.portal.csrf_token, 'phone': phone}
        self.portal.post(f'{self.path}/code', form)
        page = self.portal.post(
            f'{self.path}/verify', dict(form, code=self.code(phone)))
        form.update(re.findall(
                r'name="(verification|request_id)" value="([^"]+)"', page))
        form.update(seal=f'BENCH{n:07d}', item_count='3')
        started = time.perf_counter()
        page = self.portal.post(f'{self.path}/accept', form)
        elapsed = time.perf_counter() - started
        if 'id="done"' not in page:
            raise RuntimeError(f"intake refused for {phone}")
        return elapsed


def measure(action, clients, requests):
    "Run requests calls of action spread over clients threads"
    local = threading.local()

    def one(_):
        if not hasattr(local, 'call'):
            local.call = action()
        started = time.perf_counter()
        timed = local.call()
        # a call may time its own part and return it, in seconds
        if isinstance(timed, float):
            return timed
        return time.perf_counter() - started

    with ThreadPoolExecutor(clients) as pool:
        # warm each client's connection and session
        list(pool.map(one, range(clients)))
        started = time.perf_counter()
        samples = list(pool.map(one, range(requests)))
        elapsed = time.perf_counter() - started
    samples.sort()
    return {
        'median': statistics.median(samples),
        'p95': samples[int(len(samples) * 0.95) - 1],
        'throughput': requests / elapsed,
        }


def main(requests=200):
    # a clerk accepts hundreds of bags within the hour here
    server = DemoServer(options={'sms': {
                'codes_per_phone': '1000000', 'codes_per_sender': '1000000',
                'resend_delay': '0'}})
    server.start(workers=2)
    only = os.environ.get('BENCH')
    try:
        clerk = demo.POINTS[0][-1]
        figures = {
            'baseline: JSON-RPC create party': lambda: RPC(
                server, demo.BACK_OFFICE, demo.PASSWORD).create_party,
            'portal login page': lambda: (
                lambda portal=Portal(server): portal.get('/login')),
            'portal home, signed in': lambda: (
                lambda portal=Portal(server, clerk): portal.get('/')),
            'intake, new customer': lambda: Intake(server, clerk),
            'intake, returning customer': lambda: Intake(
                server, clerk, returning=True),
            }
        print(f"database: {server.database} (demo data), server: gunicorn, "
            f"2 workers, PostgreSQL; {requests} requests a row")
        print(f"{'figure':34} {'clients':>7} {'median ms':>10} "
            f"{'p95 ms':>8} {'req/s':>7} {'x baseline':>10}")
        for clients in (CONCURRENCY if only in {None, 'intake'} else []):
            baseline = None
            for name, action in figures.items():
                result = measure(action, clients, requests)
                baseline = baseline or result
                print(f"{name:34} {clients:>7} "
                    f"{result['median'] * 1000:>10.1f} "
                    f"{result['p95'] * 1000:>8.1f} "
                    f"{result['throughput']:>7.1f} "
                    f"{result['median'] / baseline['median']:>10.2f}")
        rpc = RPC(server, demo.BACK_OFFICE, demo.PASSWORD)
        baseline = measure(lambda: rpc.create_party, 1, 50)['median']
        if only in {None, 'receipt'}:
            receipt.figures(
                server, measure, requests, lambda: RPC(
                    server, demo.BACK_OFFICE, demo.PASSWORD).create_party)
        if only in {None, 'handover'}:
            handover.figures(server, rpc, baseline)
        if only in {None, 'commission'}:
            commission.figures(server, rpc, baseline)
    finally:
        server.stop()


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
