# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The suite's customers: their bags written up and confirmed at the factory,
the receipt's link each got by SMS, and a browser on a link, as a script."""
import re
import time
import urllib.parse
from collections import namedtuple

# NoRedirect and code_of: the suite's tests import them from here too
from trytond.modules.drop_point.tests.portal_client import (  # noqa: F401
    NoRedirect, PortalClient, code_of)

# what Browser answered before it was the portal test client's Page
Answer = namedtuple('Answer', ['status', 'headers', 'text'])
Order = namedtuple('Order', ['phone', 'seal', 'bag', 'sale', 'token'])
LINK = re.compile(r'/bag/([A-Za-z0-9_-]+)')

# as the factory does it: the bag of PVZ-01 received intact, written up with
# one coat, quoted and confirmed (which texts the customer the link); the
# queue worker processes the order (its invoice) after the commit
ORDERS = '''
Bag = pool.get('drop.bag')
Line = pool.get('sale.line')
Point = pool.get('drop.point')
Product = pool.get('product.product')
Sale = pool.get('sale.sale')
User = pool.get('res.user')
admin, = User.search([('login', '=', 'admin')])
point, = Point.search([('code', '=', 'PVZ-01')])
result = []
with transaction.set_user(admin.id), transaction.set_context(
        company=point.company.id, language='en'):
    product, = Product.search(
        [('salable', '=', True)], order=[('id', 'ASC')], limit=1)
    for phone, seal in zip(phones, seals):
        bag = Bag(
            company=point.company, drop_point=point, seal=seal, phone=phone,
            customer=Bag.customer_for(phone), item_count=1)
        bag.save()
        Bag.accept([bag])
        Bag.receive_checked(bag, True, 1)
        sale = Sale(Bag.write_up([bag])['res_id'][0])
        line = Line(sale=sale, product=product, quantity=1, item_kind='Coat')
        line.on_change_product()
        line.save()
        Sale.quote([sale])
        Sale.confirm([sale])
        result.append([bag.id, sale.id])
'''


def seal_of(phone):
    "A seal of the suite's own for the customer's bag"
    return 'RS' + phone[-10:]


def new_orders(server, phones):
    """For each phone, a confirmed order of a bag of PVZ-01, and the token
    of the link its customer got: [Order]"""
    seals = [seal_of(p) for p in phones]
    after = len(server.outbox)
    ids = server.script(ORDERS, phones=phones, seals=seals)
    orders = []
    for phone, seal, (bag, sale) in zip(phones, seals, ids):
        text = server.wait_message(phone, after)['text']
        orders.append(Order(phone, seal, bag, sale, LINK.search(text)[1]))
    return orders


def wait_processed(server, order, timeout=60):
    "Wait for the queue worker to process the order (its invoice)"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (state,), = server.sql(
            "SELECT state FROM sale_sale WHERE id = %s", order.sale)
        if state == 'processing':
            return
        time.sleep(0.2)
    raise AssertionError(f"order {order.sale} not processed in {timeout} s")


class Browser:
    """A browser over HTTP: the portal test client, its paths under the
    database, a URL or the server's own; redirects are answers, not
    followed; its answers are pages (status, headers, text, form())"""

    def __init__(self, server, language='en'):
        self.server = server
        self.client = PortalClient.http(server.url, server.database,
            language=language, follow_redirects=False)
        self.opener = self.client.transport.opener

    @property
    def csrf(self):
        "The CSRF token of the browser's forms"
        return self.client.csrf_token

    def url(self, path):
        "The URL of a path under the database, one from the root, or a URL"
        return urllib.parse.urljoin(self.server.url, self.client.url(path))

    def open(self, path, data=None, headers=None):
        "GET, or POST of an encoded form (bytes) as it is"
        if data is None:
            return self.get(path, headers)
        return self.post(
            path, urllib.parse.parse_qs(data.decode(), keep_blank_values=True),
            csrf=False, headers=headers)

    def get(self, path, headers=None):
        return self.client.get(path, headers=headers)

    def post(self, path, data=None, csrf=True, headers=None):
        "Post the form, with the CSRF token unless told not to"
        return self.client.post(path, data, csrf=csrf, headers=headers)

    def receipt(self, token):
        return self.get(f'/bag/{token}')


def start_payment(server, order, customer=None):
    """The customer taps "Pay" on the order's receipt and is on the
    gateway's page: the browser, the page's address and its form's fields"""
    customer = customer or Browser(server)
    customer.receipt(order.token)
    answer = customer.post(f'/bag/{order.token}/pay')
    assert answer.status == 303, answer.status
    gateway = answer.headers['Location']
    page = customer.get(gateway)
    assert page.status == 200, page.status
    fields = dict(re.findall(
            r'name="(amount|currency|return)" value="([^"]*)"', page.text))
    return customer, gateway, fields
