# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 11: paying the receipt online through the sandbox gateway, over
HTTP.  An amount or currency tampered in the card form, a notice replayed
(again, or twice at once), a notice with a wrong signature (such as the
key "sandbox" a server without `[drop_receipt] sandbox_secret` once used) or
another amount: no payment, or exactly one, and the invoice paid once."""
import hashlib
import hmac
import html
import json
import re
import unittest
import urllib.error
import urllib.request
from decimal import Decimal

from ..test_intake_concurrency import together
from .customers import Browser, new_orders, start_payment, wait_processed
from .production import production_server
from .tools import wait_queue

TAMPERED, REPLAYED, FORGED, FALLBACK = (
    f'+791271100{i:02d}' for i in range(1, 5))
CARD = {'card': '4242 4242 4242 4242', 'expiry': '12/39', 'cvc': '123'}
# the key the sandbox's notices are signed with, as the server reads it
SANDBOX_KEY = '''
from trytond.modules.drop_receipt.payment import sandbox_secret
result = sandbox_secret()
'''
# the order's invoices: state, and what is left on the customer's account
INVOICES = '''SELECT i.state, COALESCE((
        SELECT SUM(l.debit - l.credit) FROM account_move_line l
        WHERE l.move = i.move AND l.account = i.account
        AND l.reconciliation IS NULL), 0)
    FROM account_invoice i WHERE i.id IN (
        SELECT il.invoice FROM account_invoice_line il
        JOIN sale_line sl ON il.origin = 'sale.line,' || sl.id
        WHERE sl.sale = %s)'''


class PaymentsTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        phones = [TAMPERED, REPLAYED, FORGED, FALLBACK]
        cls.orders = dict(zip(phones, new_orders(cls.server, phones)))
        for order in cls.orders.values():
            wait_processed(cls.server, order)
        cls.secret = cls.server.script(SANDBOX_KEY)

    def pay(self, order, customer=None):
        """The customer taps "Pay" on the receipt: the gateway's page, its
        address and the form's fields"""
        return start_payment(self.server, order, customer)

    def started(self, order):
        """A payment started: pay()'s values, the total and the gateway's
        reference"""
        customer, gateway, fields = self.pay(order)
        reference = gateway.split('/sandbox/')[1].split('?')[0]
        return customer, gateway, fields, Decimal(fields['amount']), reference

    def payments(self, order):
        return [(state, Decimal(amount)) for state, amount in self.server.sql(
                "SELECT state, amount FROM account_payment "
                "WHERE drop_bag = %s ORDER BY id", order.bag)]

    def invoices(self, order):
        return self.server.sql(INVOICES, order.sale)

    def due(self, order):
        "What the receipt says is left to pay"
        page = Browser(self.server).receipt(order.token).text
        if 'id="paid"' in page:
            return 'paid'
        return re.search(r'id="due">([^<]*)<', page)[1]

    def clearings(self, order):
        "The moves that cleared the order's payments on the invoice"
        (count,), = self.server.sql(
            "SELECT COUNT(*) FROM account_move m JOIN account_payment p "
            "ON m.origin = 'account.payment,' || p.id "
            "WHERE p.drop_bag = %s", order.bag)
        return count

    def notice(self, body, signature):
        "The gateway calls back, server to server: the status"
        request = urllib.request.Request(
            f'{self.server.url}/{self.server.database}/sandbox/notice',
            body, {'Content-Type': 'application/json'}
            | ({'X-Sandbox-Signature': signature} if signature else {}))
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def signed(self, reference, amount, currency, status='succeeded'):
        body = json.dumps({
                'reference': reference, 'status': status, 'amount': amount,
                'currency': currency}).encode()
        return body, hmac.new(
            self.secret.encode(), body, hashlib.sha256).hexdigest()

    def assert_unpaid(self, order, total):
        self.assertEqual(self.payments(order), [('processing', total)])
        self.assertEqual(self.invoices(order), [('posted', total)])
        self.assertEqual(self.due(order), f'To pay: ₽{total:,}')

    def assert_paid_once(self, order, total):
        # the invoice is marked paid by the queue, once reconciled
        wait_queue(self.server)
        self.assertEqual(self.payments(order), [('succeeded', total)])
        self.assertEqual(self.clearings(order), 1)
        self.assertEqual(self.invoices(order), [('paid', 0)])
        self.assertEqual(self.due(order), 'paid')

    def test_tampered_amount(self):
        "An amount or currency changed in the card form charges nothing"
        order = self.orders[TAMPERED]
        # a double tap on "Pay" starts one payment
        first, second = together(
            lambda: self.pay(order), lambda: self.pay(order))
        self.assertEqual(first[1], second[1])
        customer, gateway, fields = first
        total = Decimal(fields['amount'])
        self.assertGreater(total, 0)
        self.assertEqual(fields['currency'], 'RUB')
        for name, value in [
                ('amount', '1.00'), ('amount', str(total * 10)),
                ('amount', '-' + fields['amount']), ('amount', 'NaN'),
                ('currency', 'USD')]:
            with self.subTest(**{name: value}):
                answer = customer.post(
                    gateway, dict(fields, **CARD, **{name: value}))
                self.assertEqual(answer.status, 400)
                self.assertIn(
                    "The amount sent is not the payment's: nothing was "
                    "charged.", html.unescape(answer.text))
                self.assert_unpaid(order, total)
        answer = customer.post(gateway, dict(fields, **CARD))
        self.assertEqual(answer.status, 303)
        self.assertIn('payment=succeeded', answer.headers['Location'])
        self.assert_paid_once(order, total)

    def test_replayed(self):
        "The card form posted again, the notice again and twice at once"
        order = self.orders[REPLAYED]
        customer, gateway, fields, total, reference = self.started(order)
        self.assertEqual(
            customer.post(gateway, dict(fields, **CARD)).status, 303)
        self.assert_paid_once(order, total)

        self.assertEqual(
            customer.post(gateway, dict(fields, **CARD)).status, 200)
        body, signature = self.signed(reference, fields['amount'], 'RUB')
        statuses = together(*[lambda: self.notice(body, signature)] * 2)
        statuses.append(self.notice(body, signature))
        self.assertEqual(statuses, [204, 204, 204])
        # a late "declined" changes nothing either
        self.assertEqual(self.notice(*self.signed(
                    reference, fields['amount'], 'RUB', 'declined')), 204)
        self.assert_paid_once(order, total)
        # nothing is left to pay
        answer = customer.post(f'/bag/{order.token}/pay')
        self.assertEqual(answer.status, 400)
        self.assertIn('is already paid', answer.text)
        self.assert_paid_once(order, total)

    def test_forged_notice(self):
        "A notice without the gateway's signature, or not the payment's"
        order = self.orders[FORGED]
        _, gateway, fields, total, reference = self.started(order)
        body, signature = self.signed(reference, fields['amount'], 'RUB')
        forged = hmac.new(b'guessed', body, hashlib.sha256).hexdigest()
        for name, (data, sign) in {
                'wrong key': (body, forged),
                'no signature': (body, None),
                'signature of another body': (
                    body.replace(b'succeeded', b'declined'), signature),
                'upper case': (body, signature.upper()),
                }.items():
            with self.subTest(name):
                self.assertEqual(self.notice(data, sign), 400)
                self.assert_unpaid(order, total)
        # signed by the gateway, but not the payment's amount
        self.assertEqual(
            self.notice(*self.signed(reference, '1.00', 'RUB')), 400)
        self.assertEqual(
            self.notice(*self.signed('0' * 32, fields['amount'], 'RUB')),
            404)
        self.assert_unpaid(order, total)
        # the gateway's notice, sent twice at once as gateways retry
        self.assertEqual(
            together(*[lambda: self.notice(body, signature)] * 2),
            [204, 204])
        self.assert_paid_once(order, total)

    def test_fallback_key_refused(self):
        """A notice signed with "sandbox", the key a server without
        [drop_receipt] sandbox_secret used, pays nothing"""
        order = self.orders[FALLBACK]
        _, gateway, fields, total, reference = self.started(order)
        body = json.dumps({
                'reference': reference, 'status': 'succeeded',
                'amount': fields['amount'], 'currency': 'RUB'}).encode()
        guessed = hmac.new(b'sandbox', body, hashlib.sha256).hexdigest()
        self.assertEqual(self.notice(body, guessed), 400)
        self.assert_unpaid(order, total)
        # the key the server drew for its database signs it
        self.assertNotEqual(self.secret, 'sandbox')
        self.assertEqual(self.notice(*self.signed(
                    reference, fields['amount'], 'RUB')), 204)
        self.assert_paid_once(order, total)
