#!/usr/bin/env python3
# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Benchmarks, each figure a ratio against a baseline measured in the same
run on the same server: trytond's own JSON-RPC create of one party with one
phone.  The server runs as in production: PostgreSQL, gunicorn with 2
workers.  Requests go to 127.0.0.1 only, bounded in count.

usage: bin/bench [REQUESTS]   (requests per figure and concurrency, 200)"""
import base64
import http.cookiejar
import itertools
import json
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

    def _post(self, method, params, headers=None):
        request = urllib.request.Request(
            self.url, data=json.dumps({
                    'id': 1, 'method': method, 'params': params}).encode(),
            headers={'Content-Type': 'application/json', **(headers or {})})
        with urllib.request.urlopen(request, timeout=60) as response:
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
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
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


def measure(action, clients, requests):
    "Run requests calls of action spread over clients threads"
    local = threading.local()

    def one(_):
        if not hasattr(local, 'call'):
            local.call = action()
        started = time.perf_counter()
        local.call()
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
    server = DemoServer()
    server.start(workers=2)
    try:
        clerk = demo.POINTS[0][-1]
        figures = {
            'baseline: JSON-RPC create party': lambda: RPC(
                server, demo.BACK_OFFICE, demo.PASSWORD).create_party,
            'portal login page': lambda: (
                lambda portal=Portal(server): portal.get('/login')),
            'portal home, signed in': lambda: (
                lambda portal=Portal(server, clerk): portal.get('/')),
            }
        print(f"database: {server.database} (demo data), server: gunicorn, "
            f"2 workers, PostgreSQL; {requests} requests a row")
        print(f"{'figure':34} {'clients':>7} {'median ms':>10} "
            f"{'p95 ms':>8} {'req/s':>7} {'x baseline':>10}")
        for clients in CONCURRENCY:
            baseline = None
            for name, action in figures.items():
                result = measure(action, clients, requests)
                baseline = baseline or result
                print(f"{name:34} {clients:>7} "
                    f"{result['median'] * 1000:>10.1f} "
                    f"{result['p95'] * 1000:>8.1f} "
                    f"{result['throughput']:>7.1f} "
                    f"{result['median'] / baseline['median']:>10.2f}")
    finally:
        server.stop()


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
