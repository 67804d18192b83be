# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The bench's clients over HTTP (a back-office JSON-RPC session, a
partner's browser, the text messages the queue sends) and its bounded load:
a number of requests spread over a number of threads, each thread a client
of its own, stopped at a deadline."""
import base64
import itertools
import json
import statistics
import threading
import time
import urllib.request

from trytond.modules.drop_point import demo
from trytond.modules.drop_point.tests.portal_client import (
    PortalClient, code_of)

# no row of the bench runs longer than this, whatever REQUESTS says
DEADLINE = 240
_counter = itertools.count()


def unique():
    "A number not used before in this run"
    return next(_counter)


class RPC:
    "A back-office JSON-RPC session"

    def __init__(self, server, login=demo.BACK_OFFICE, password=demo.PASSWORD):
        self.url = f'{server.url}/{server.database}/rpc/'
        user_id, session, *_ = self._post(
            'common.db.login', [login, {'password': password}, 'en'])
        token = f'{login}:{user_id}:{session}'.encode()
        self.headers = {
            'Authorization': 'Session ' + base64.b64encode(token).decode()}
        self.run = str(time.time_ns())[-9:]

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
        "The baseline: trytond's own create of a party with one phone"
        n = unique()
        self.call('model.party.party.create', [[{
                        'name': f"Bench customer {self.run}-{n}",
                        'contact_mechanisms': [['create', [{
                                        'type': 'phone',
                                        'value': f'+7912{n:07d}'}]]],
                        }], {}])


class Portal:
    """A partner's browser: the portal test client, signed in if given an
    e-mail, its paths under the portal; answers are texts, an error raises
    HTTPError"""

    def __init__(self, server, email=None, password=demo.PASSWORD):
        self.base = server.portal
        self.client = PortalClient.http(
            server.url, server.database, prefix='/portal', timeout=60)
        self.cookies = self.client.transport.jar
        self.opener = self.client.transport.opener
        if email:
            self.client.login(email, password).checked()

    def get(self, path):
        return self.client.get(path).checked().text

    def post(self, path, data):
        "Post the form, with the CSRF token if it has none"
        return self.client.post(path, data).checked().text

    @property
    def csrf_token(self):
        return self.client.csrf_token


class Outbox:
    """The text messages the server's queue worker sends, read as they
    arrive: one reader for all the clients, the file read once (as
    server.wait_message waits, without re-reading it for each client)"""

    def __init__(self, server):
        self.path = server.directory / 'sms-outbox.jsonl'
        self.offset = 0
        self.last = {}
        self.lock = threading.Lock()

    def _read(self):
        if not self.path.exists():
            return
        with open(self.path, 'rb') as file:
            file.seek(self.offset)
            data = file.read()
        # a line being written is read again next time
        complete = data[:data.rfind(b'\n') + 1]
        self.offset += len(complete)
        for line in complete.splitlines():
            message = json.loads(line)
            self.last[message['phone']] = message

    def wait(self, phone, after=None, timeout=150):
        """The last message to the phone once its id is past after (the
        id of the message before it), waiting for the queue to send it
        (trytond-worker sleeps its --timeout, 5 s here as in production,
        when it misses the queue's notification)"""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                self._read()
                message = self.last.get(phone)
            if message and (after is None or message['id'] != after):
                return message
            time.sleep(0.05)
        raise RuntimeError(f"no text message to {phone} within {timeout} s")

    def code(self, phone, after=None):
        return code_of(self.wait(phone, after))

    def previous(self, phone):
        "The id of the last message to the phone yet, or None"
        with self.lock:
            self._read()
            message = self.last.get(phone)
        return message['id'] if message else None


def measure(clients, requests, warm=True):
    """Call the clients (callables, one per thread) requests times in all,
    each thread calling its own; return the samples' figures.

    A call may time its own part and return it, in seconds; else the whole
    call is timed.  warm: one untimed call per client first.  No new call
    starts past DEADLINE seconds."""
    jobs = itertools.count()
    samples = []
    errors = []
    started = deadline = None

    def run(client):
        try:
            if warm:
                client()
            barrier.wait()
            while next(jobs) < requests and time.monotonic() < deadline:
                before = time.perf_counter()
                timed = client()
                samples.append(timed if isinstance(timed, float)
                    else time.perf_counter() - before)
        except Exception as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()

    def start():
        nonlocal started, deadline
        started = time.perf_counter()
        deadline = time.monotonic() + DEADLINE

    barrier = threading.Barrier(len(clients), action=start)
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return summary(samples, time.perf_counter() - started)


def summary(samples, elapsed=None):
    "median, p95 (nearest rank), throughput and count of the samples"
    samples = sorted(samples)
    count = len(samples)
    return {
        'median': statistics.median(samples),
        'p95': samples[max(0, -(-count * 95 // 100) - 1)],
        'throughput': count / elapsed if elapsed else None,
        'count': count,
        'elapsed': elapsed if elapsed is not None else sum(samples),
        }
