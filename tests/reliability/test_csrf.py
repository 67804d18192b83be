# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 10: every POST route of the project's modules, read from trytond's
URL map (a new route is checked without being listed here), refuses with
403 and changes nothing a form posted without its CSRF token, with a wrong
one, or from another site's Origin; "Origin: null" (a page without
referrer) only where the route allows it, and never without the token."""
import re
import unittest
import urllib.error
import urllib.parse
import urllib.request

from .. import test_intake_concurrency as intake
from ..server import MODULES
from .customers import Browser, NoRedirect, new_orders, wait_processed
from .production import production_server
from .tools import wait_queue

PHONE = '+79127100001'
FOREIGN = 'https://evil.example'
# POST routes without a browser's form, each checked elsewhere
EXEMPT = {
    # the gateway's notice, server to server, signed: test_payments
    '/<database_name>/sandbox/notice',
    }
ROUTES = '''
from trytond.wsgi import app
result = [
    [rule.rule, sorted(rule.methods or []), rule.endpoint.__module__,
        bool(getattr(rule.endpoint, 'allow_null_origin', False))]
    for rule in app.url_map.iter_rules()]
'''
ARGUMENT = re.compile(r'<(?:\w+:)?(\w+)>')


class CSRFTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = server = production_server()
        cls.order, = new_orders(server, [PHONE])
        wait_processed(server, cls.order)
        customer = Browser(server)
        customer.receipt(cls.order.token)
        pay = customer.post(f'/bag/{cls.order.token}/pay')
        reference = re.search(r'/sandbox/(\w+)', pay.headers['Location'])[1]
        (act, point), = server.sql(
            "SELECT MIN(h.id), MIN(p.id) FROM drop_handover h, drop_point p "
            "WHERE p.code = 'PVZ-01'")
        cls.values = {
            'database_name': server.database,
            'point_id': point,
            'bag_id': cls.order.bag,
            'act_id': act,
            'token': cls.order.token,
            'reference': reference,
            # the portal's catch-all: any other address
            'rest': 'nowhere',
            }
        cls.fingerprint = cls._fingerprint_query()

    @classmethod
    def _fingerprint_query(cls):
        "One query: each table's rows, last creation and last change"
        tables = cls.server.sql(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND column_name = 'write_date' ORDER BY table_name")
        return ' UNION ALL '.join(
            f"SELECT '{t}', COUNT(*), MAX(create_date), MAX(write_date) "
            f'FROM "{t}"' for t, in tables) + ' ORDER BY 1'

    def snapshot(self):
        "The database's state, once the queue worker has run what is due"
        wait_queue(self.server)
        return self.server.sql(self.fingerprint)

    def post_routes(self):
        "The POST routes of the project's modules: rule, allows null Origin"
        routes = []
        for rule, methods, module, null in self.server.script(ROUTES):
            name = module.split('.')
            if ('POST' in methods and name[:2] == ['trytond', 'modules']
                    and name[2] in MODULES and rule not in EXEMPT):
                routes.append((rule, null))
        return routes

    def url(self, rule):
        def value(match):
            self.assertIn(
                match[1], self.values, f"give {rule} a {match[1]} to post")
            return str(self.values[match[1]])
        return self.server.url + ARGUMENT.sub(value, rule)

    @staticmethod
    def post(clerk, url, data, origin=None):
        "Post the form in the clerk's browser: status, page"
        jar, = [h.cookiejar for h in clerk.opener.handlers
            if isinstance(h, urllib.request.HTTPCookieProcessor)]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        opener.addheaders = clerk.opener.addheaders
        request = urllib.request.Request(
            url, urllib.parse.urlencode(data).encode(),
            {'Origin': origin} if origin else {})
        try:
            with opener.open(request) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def test_every_post_refused_without_token(self):
        "No token, a wrong one, a foreign Origin: 403, nothing changed"
        routes = self.post_routes()
        rules = [r for r, _ in routes]
        # what the URL map gives: the known forms, at least
        for known in ['/portal/login', '/portal/lang', '/intake/code',
                '/intake/accept', '/handover', '/issue/<id:bag_id>/pay',
                '/bag/<token>/sign', '/bag/<token>/pay',
                '/sandbox/<reference>', '/courier/deliver']:
            self.assertTrue(
                [r for r in rules if r.endswith(known)], known)
        # two browsers of the clerk, signed in: signing out comes last
        clerk, other = intake.Clerk(self.server), intake.Clerk(self.server)
        for rule, null in sorted(routes, key=lambda r: r[0].endswith('out')):
            with self.subTest(rule):
                self.check_route(clerk, other, rule, null)

    def check_route(self, clerk, other, rule, null):
        url = self.url(rule)
        token = {'csrf_token': clerk.token}
        before = self.snapshot()
        refused = [
            ('no token', {}, None),
            ('wrong token', {'csrf_token': 'x' + clerk.token}, None),
            ('token of another browser', {'csrf_token': other.token}, None),
            ('foreign Origin', token, FOREIGN),
            ]
        if null:
            refused.append(('null Origin, no token', {}, 'null'))
        else:
            refused.append(('null Origin', token, 'null'))
        for name, data, origin in refused:
            status, page = self.post(clerk, url, data, origin)
            self.assertEqual(status, 403, name)
            if origin != FOREIGN and not (origin == 'null' and not null):
                self.assertIn('The form has expired', page, name)
        self.assertEqual(self.snapshot(), before, rule)
        # the same form with its token goes through to the page
        status, _ = self.post(
            clerk, url, token, 'null' if null else self.server.url)
        self.assertNotEqual(status, 403, rule)
