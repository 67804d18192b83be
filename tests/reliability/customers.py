# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The suite's customers: their bags written up and confirmed at the factory,
the receipt's link each got by SMS, and a browser on a link, as a script."""
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import namedtuple

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


def code_of(message):
    "The one-time code in a text message"
    return re.search(r'\b\d{6}\b', message['text'])[0]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    "A redirect is the answer (a browser sends no Origin header after it)"

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser over HTTP: its cookies, and the CSRF token of the last page
    it read; redirects are answers, not followed"""

    def __init__(self, server, language='en'):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect())
        self.opener.addheaders = [('Accept-Language', language)]
        self.csrf = None

    def url(self, path):
        "A path under the database, one from the server's root, or a URL"
        if path.startswith('http'):
            return path
        if path.startswith(f'/{self.server.database}/'):
            return self.server.url + path
        return f'{self.server.url}/{self.server.database}{path}'

    def open(self, path, data=None, headers=None):
        request = urllib.request.Request(
            self.url(path), data=data, headers=headers or {})
        try:
            with self.opener.open(request) as answer:
                status, headers, body = (
                    answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        text = body.decode(errors='replace')
        found = re.search(r'name="csrf_token" value="([^"]+)"', text)
        if found:
            self.csrf = found[1]
        return Answer(status, headers, text)

    def get(self, path, headers=None):
        return self.open(path, headers=headers)

    def post(self, path, data=None, csrf=True, headers=None):
        "Post the form, with the page's CSRF token unless told not to"
        data = dict(data or {})
        if csrf:
            data['csrf_token'] = self.csrf
        return self.open(
            path, urllib.parse.urlencode(data).encode(), headers=headers)

    def receipt(self, token):
        return self.get(f'/bag/{token}')
