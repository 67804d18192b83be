# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Concurrent intakes on PostgreSQL, through the portal over HTTP."""
import threading
import unittest

from trytond.modules.drop_point import demo
from trytond.modules.drop_point.tests.portal_client import (
    PortalClient, newest_code)

from .server import server

CLERK = demo.POINTS[0][-1]
# what the intake's form keeps from the verified code
INTAKE = ['verification', 'request_id']


class Clerk:
    """A clerk's (or another portal user's) browser session, as a script:
    the portal test client signed in, its paths under the portal, redirects
    followed, in English (its opener's addheaders)"""

    def __init__(self, server, email=CLERK):
        self.server = server
        self.client = PortalClient.http(server.url, server.database,
            language='en', prefix='/portal')
        self.opener = self.client.transport.opener
        self.client.login(email, demo.PASSWORD)
        (self.point,), = server.sql(
            "SELECT id FROM drop_point WHERE code = 'PVZ-01'")

    @property
    def token(self):
        "The CSRF token of the browser's forms"
        return self.client.csrf_token

    def get(self, path):
        "The page's text; an error answer raises HTTPError"
        return self.client.get(path).checked().text

    def post(self, path, **data):
        "Post the form with the CSRF token: status, text"
        page = self.client.post(path, data)
        return page.status, page.text

    def verified(self, phone):
        "Ask for a code, read it from the outbox, send it back"
        intake = f'/point/{self.point}/intake'
        self.post(f'{intake}/code', phone=phone)
        code = newest_code(self.server.directory / 'sms-outbox.jsonl', phone)
        form = self.client.post(
            f'{intake}/verify', phone=phone, code=code).form()
        return {n: form[n] for n in INTAKE if n in form}

    def accept(self, phone, seal, form):
        return self.post(
            f'/point/{self.point}/intake/accept', phone=phone, seal=seal,
            item_count='2', **form)


def together(*calls):
    "Run the calls at the same moment, return their results"
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()
    threads = [threading.Thread(target=run, args=(i, c))
        for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class IntakeConcurrencyTestCase(unittest.TestCase):

    def setUp(self):
        self.server = server()

    def count(self, seal):
        (count,), = self.server.sql(
            "SELECT COUNT(*) FROM drop_bag WHERE seal = %s "
            "AND state != 'cancelled'", seal)
        return count

    def test_same_seal_at_once(self):
        "Two clerks submit one seal at the same moment: one bag"
        first, second = Clerk(self.server), Clerk(self.server)
        form1 = first.verified('+79126660001')
        form2 = second.verified('+79126660002')
        results = together(
            lambda: first.accept('+79126660001', 'cc-100 200', form1),
            lambda: second.accept('+79126660002', 'CC100200', form2))
        statuses = sorted(status for status, _ in results)
        self.assertEqual(statuses, [200, 400])
        refused = [page for status, page in results if status == 400][0]
        self.assertRegex(refused, "seal is already used")
        self.assertEqual(self.count('CC100200'), 1)

    def test_same_request_twice_at_once(self):
        "A double tap sends one request twice: one bag, one message"
        clerk = Clerk(self.server)
        form = clerk.verified('+79126660003')
        results = together(
            lambda: clerk.accept('+79126660003', 'DD100200', form),
            lambda: clerk.accept('+79126660003', 'DD100200', form))
        self.assertEqual([status for status, _ in results], [200, 200])
        for _, page in results:
            self.assertIn('DD100200', page)
        status, page = clerk.accept('+79126660003', 'DD100200', form)
        self.assertEqual(status, 200)
        self.assertEqual(self.count('DD100200'), 1)
        outbox = (self.server.directory / 'sms-outbox.jsonl').read_text()
        self.assertEqual(outbox.count('DD100200'), 1)
