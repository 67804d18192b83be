# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Issue 16, "a customer charged twice", over HTTP: the customer pays by the
link while the clerk takes the money at the point.  The payment at the
point cancels the online payment in progress first and pays the invoice;
the gateway's card form then charges nothing, and a success the gateway
reports all the same is recorded as a refund to make, not a second payment
of the order."""
import hashlib
import hmac
import html
import json
import re
import unittest
import urllib.request
from decimal import Decimal

from trytond.pyson import PYSONDecoder

from ..test_intake_concurrency import Clerk, together
from .customers import Browser, new_orders, start_payment, wait_processed
from .production import production_server
from .test_payments import CARD, INVOICES
from .tools import RPC, wait_queue

ATTACK, LATE, AT_ONCE = (f'+791271600{i:02d}' for i in range(1, 4))
# the factory finished the orders and the act took the bags back to their
# point: they wait there for their customers
BACK_AT_POINT = '''
Bag = pool.get('drop.bag')
Handover = pool.get('drop.handover')
User = pool.get('res.user')
admin, = User.search([('login', '=', 'admin')])
bags = Bag.browse(bags)
with transaction.set_user(admin.id), transaction.set_context(
        company=bags[0].company.id, language='en'):
    Bag.ready(bags)
    point = bags[0].drop_point
    act = Handover(
        direction='to_point', drop_point=point,
        from_location=bags[0].custodian,
        to_location=point.location.storage_location,
        lines=[{'bag': b.id} for b in bags])
    act.save()
    Handover.send([act])
    Handover.confirm([act])
result = [b.state for b in Bag.browse(bags)]
'''
SANDBOX_KEY = '''
from trytond.modules.drop_receipt.payment import sandbox_secret
result = sandbox_secret()
'''
CANCELLED = ("This payment was cancelled: the order was paid at the point. "
    "Nothing was charged.")


def paid_state(page):
    "What the clerk's page of the bag says in large letters"
    return re.search(r'id="paid-state">([^<]+)<', page)[1]


class PaidTwiceTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        phones = [ATTACK, LATE, AT_ONCE]
        cls.orders = dict(zip(phones, new_orders(cls.server, phones)))
        for order in cls.orders.values():
            wait_processed(cls.server, order)
        states = cls.server.script(
            BACK_AT_POINT, bags=[o.bag for o in cls.orders.values()])
        assert states == ['at_point'] * len(phones), states
        cls.secret = cls.server.script(SANDBOX_KEY)

    def started(self, order):
        """The customer taps "Pay" on the receipt and is on the gateway's
        page: the browser, the page's address and its form's fields"""
        return start_payment(self.server, order)

    def issue_page(self, clerk, order):
        return f'/point/{clerk.point}/issue/{order.bag}'

    def collect(self, clerk, order, method='cash'):
        """The clerk opens the bag's page and records the money taken:
        the status and the page shown after"""
        page = clerk.get(self.issue_page(clerk, order))
        request_id = re.search(r'name="request_id" value="([^"]+)"', page)[1]
        return clerk.post(
            self.issue_page(clerk, order) + '/pay', method=method,
            request_id=request_id)

    def hand_out(self, clerk, order):
        "The customer reads the code out and takes the bag"
        after = len(self.server.outbox)
        status, _ = clerk.post(self.issue_page(clerk, order) + '/code')
        self.assertEqual(status, 200)
        code = re.search(
            r'\b\d{6}\b', self.server.wait_message(order.phone, after)['text'])
        status, page = clerk.post(
            self.issue_page(clerk, order) + '/confirm', code=code[0])
        self.assertEqual(status, 200)
        self.assertIn(f'Bag {order.seal} is issued to the customer.', page)

    def payments(self, order):
        return [(state, Decimal(amount)) for state, amount in self.server.sql(
                "SELECT state, amount FROM account_payment "
                "WHERE drop_bag = %s ORDER BY id", order.bag)]

    def collections(self, order):
        "The payments at the point: method, amount, their accounting moves"
        return [(method, Decimal(amount), moves)
            for method, amount, moves in self.server.sql(
                "SELECT c.method, c.amount, COUNT(m.id) "
                "FROM drop_bag_collection c "
                'LEFT JOIN "drop_bag_collection-account_move" m '
                "ON m.collection = c.id WHERE c.bag = %s "
                "GROUP BY c.id ORDER BY c.id", order.bag)]

    def taken(self, order):
        "All the money taken for the order: online and at the point"
        return (sum(a for s, a in self.payments(order) if s == 'succeeded')
            + sum(a for _, a, _ in self.collections(order)))

    def receipt(self, order):
        "What the customer's link says is left to pay, and any refund"
        page = html.unescape(Browser(self.server).receipt(order.token).text)
        due = ('paid' if 'id="paid"' in page
            else re.search(r'id="due">([^<]*)<', page)[1])
        refund = re.search(r'id="refund">([^<]*)<', page)
        return due, refund[1] if refund else None

    def refunds(self):
        """The back office's "Refunds to Make": each payment's bag and
        amount"""
        rpc = RPC(self.server, *self.server.logins['back_office'][0])
        action = rpc.call('model.ir.action.act_window.get', [
                'drop_receipt.act_payment_refund', rpc.context])
        domain = PYSONDecoder().decode(action['pyson_domain'])
        # JSON-RPC sends a Decimal as {'__class__': 'Decimal', ...}
        return [(p['drop_bag'], Decimal(p['amount']['decimal']))
            for p in rpc.call('model.account.payment.search_read', [
                    domain, 0, None, None, ['drop_bag', 'amount'],
                    rpc.context])]

    def notice(self, reference, amount):
        "The gateway's signed notice that it took the card's money"
        body = json.dumps({
                'reference': reference, 'status': 'succeeded',
                'amount': amount, 'currency': 'RUB'}).encode()
        signature = hmac.new(
            self.secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f'{self.server.url}/{self.server.database}/sandbox/notice',
            body, {'Content-Type': 'application/json',
                'X-Sandbox-Signature': signature})
        with urllib.request.urlopen(request) as answer:
            return answer.status

    def test_cash_while_paying_online(self):
        """The customer is on the gateway's page when the clerk takes the
        cash: the cash pays the order, the card form charges nothing"""
        order = self.orders[ATTACK]
        customer, gateway, fields = self.started(order)
        total = Decimal(fields['amount'])
        clerk = Clerk(self.server)
        self.assertEqual(
            paid_state(clerk.get(self.issue_page(clerk, order))), 'NOT PAID')

        status, page = self.collect(clerk, order)
        self.assertEqual(status, 200)
        self.assertEqual(paid_state(page), 'PAID')
        wait_queue(self.server)
        self.assertEqual(self.invoices(order), [('paid', 0)])
        self.assertEqual(self.collections(order), [('cash', total, 1)])
        self.assertEqual(self.payments(order), [('failed', total)])
        self.assertEqual(self.receipt(order), ('paid', None))

        # the link's "Pay" is refused, the card form charges nothing
        answer = customer.post(f'/bag/{order.token}/pay')
        self.assertEqual(answer.status, 400)
        self.assertIn('is already paid', answer.text)
        answer = customer.post(gateway, dict(fields, **CARD))
        self.assertEqual(answer.status, 200)
        self.assertIn(CANCELLED, html.unescape(answer.text))
        self.assertEqual(self.payments(order), [('failed', total)])
        self.assertEqual(self.taken(order), total)
        self.hand_out(clerk, order)

    def test_success_reported_after_cash(self):
        """The gateway reports a success all the same after the clerk took
        the cash: the money is recorded and shows as a refund to make; the
        order stays paid once and the bag is handed out"""
        order = self.orders[LATE]
        customer, gateway, fields = self.started(order)
        total = Decimal(fields['amount'])
        reference = gateway.split('/sandbox/')[1].split('?')[0]
        clerk = Clerk(self.server)
        status, page = self.collect(clerk, order, 'card')
        self.assertEqual(status, 200)
        self.assertEqual(paid_state(page), 'PAID')

        self.assertEqual(self.notice(reference, fields['amount']), 204)
        wait_queue(self.server)
        self.assertEqual(self.payments(order), [('succeeded', total)])
        self.assertEqual(self.taken(order), 2 * total)
        self.assertIn((order.bag, total), self.refunds())
        # the invoice is paid once: the online money waits on the
        # customer's account for its refund
        self.assertEqual(self.invoices(order), [('paid', 0)])
        self.assertEqual(self.receipt(order), (
                'paid', f'You paid ₽{total:,} twice: it will be refunded.'))
        self.assertEqual(
            paid_state(clerk.get(self.issue_page(clerk, order))), 'PAID')
        self.hand_out(clerk, order)

    def test_both_channels_at_once(self):
        """The customer taps "Pay" as the clerk records the cash: whichever
        comes first, the order is paid once and the card takes nothing"""
        order = self.orders[AT_ONCE]
        customer = Browser(self.server)
        customer.receipt(order.token)
        clerk = Clerk(self.server)
        page = clerk.get(self.issue_page(clerk, order))
        request_id = re.search(r'name="request_id" value="([^"]+)"', page)[1]

        def cash():
            return clerk.post(
                self.issue_page(clerk, order) + '/pay', method='cash',
                request_id=request_id)

        def pay():
            return customer.post(f'/bag/{order.token}/pay')
        online, (status, page) = together(pay, cash)
        # one may find the other's locks held too long: the portal's busy
        # page (503) changes nothing, and its user taps again
        if status == 503:
            status, page = cash()
        self.assertEqual(status, 200)
        self.assertEqual(paid_state(page), 'PAID')
        self.assertIn(online.status, {303, 400, 503})
        if online.status == 503:
            online = pay()
        if online.status == 400:
            self.assertIn('is already paid', online.text)
        else:
            # the gateway's page came first: its payment is cancelled
            gateway = online.headers['Location']
            form = customer.get(gateway).text
            fields = dict(re.findall(
                    r'name="(amount|currency|return)" value="([^"]*)"', form))
            answer = customer.post(gateway, dict(fields, **CARD))
            self.assertIn(CANCELLED, html.unescape(answer.text))
        wait_queue(self.server)
        (total,), = self.server.sql(
            "SELECT total_amount_cache FROM sale_sale WHERE id = %s",
            order.sale)
        self.assertEqual(self.taken(order), total)
        self.assertEqual(self.invoices(order), [('paid', 0)])
        self.assertNotIn(
            'succeeded', [s for s, _ in self.payments(order)])

    def invoices(self, order):
        return self.server.sql(INVOICES, order.sale)
