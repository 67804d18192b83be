# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Issue 16, defect 7: every portal and customer's link route that takes an
id, read from trytond's URL map, answers an id past what a record can have
(PostgreSQL's integer, SQLite's, and beyond) with the portal's own "not
found" page and its security headers, never a server error; so do an
address the portal does not have and a form refused before dispatch (a
foreign Origin).  The same on SQLite, and an unexpected error's page:
drop_point's tests/test_portal.py."""
import importlib
import re
import unittest

from trytond.modules.drop_point import demo
from trytond.wsgi import app

from ..server import MODULES
from .customers import Browser
from .production import production_server

# past PostgreSQL's integer, past SQLite's, and far past both
BIG_IDS = [2 ** 31, 2 ** 63, 10 ** 20]
ID = re.compile(r'<(?:\w+:)?(\w+_id)>')
ARGUMENT = re.compile(r'<(?:\w+:)?(\w+)>')
HEADERS = {
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    }


def id_rules():
    "The project's URL rules that take an id, with their methods"
    for module in MODULES:
        importlib.import_module(f'trytond.modules.{module}')
    for rule in app.url_map.iter_rules():
        if ID.search(rule.rule):
            yield rule.rule, sorted(rule.methods - {'HEAD', 'OPTIONS'})


class ErrorPagesTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = server = production_server()
        (point, bag, act, statement), = server.sql(
            "SELECT p.id, (SELECT MIN(id) FROM drop_bag "
            "WHERE drop_point = p.id), (SELECT MIN(id) FROM drop_handover), "
            "(SELECT MIN(id) FROM drop_commission_statement) "
            "FROM drop_point p WHERE p.code = %s", demo.POINTS[0][0])
        # the manager of the point: its records, for the other arguments
        cls.values = {
            'database_name': server.database, 'point_id': point,
            'bag_id': bag, 'act_id': act, 'statement_id': statement,
            'token': 'x'}
        cls.browser = Browser(server)
        cls.browser.get('/portal/login')
        answer = cls.browser.post('/portal/login', {
                'email': demo.PARTNER_MANAGER, 'password': demo.PASSWORD})
        assert answer.status == 303, answer

    def assertPortalPage(self, answer, statuses=(404,)):
        "The portal's own page of an error, with its headers"
        self.assertIn(answer.status, statuses)
        self.assertIn('id="error-title"', answer.text)
        self.assertIn('/portal/static/drop_point/portal.css', answer.text)
        for name, value in HEADERS.items():
            self.assertEqual(answer.headers.get(name), value, name)
        self.assertIn("default-src 'self'",
            answer.headers.get('Content-Security-Policy', ''))
        for text in ['Traceback', 'Error', 'Internal Server']:
            self.assertNotIn(text, answer.text)

    def paths(self, rule):
        "The rule's paths with each of its ids too big, the others valid"
        for name in ID.findall(rule):
            for big in BIG_IDS:
                def value(match):
                    if match[1] == name:
                        return str(big)
                    self.assertIn(match[1], self.values,
                        f"give {rule} a {match[1]}")
                    return str(self.values[match[1]])
                yield ARGUMENT.sub(value, rule).split('/', 2)[2]

    def test_big_ids_not_found(self):
        "An id past what a record can have: the portal's 404, on any route"
        rules = list(id_rules())
        # what the URL map gives: the screens of each module, at least
        names = [re.sub(r'<\w+:', '<', r) for r, _ in rules]
        for known in ['/point/<point_id>', '/point/<point_id>/bags',
                '/issue/<bag_id>', '/issue/<bag_id>/pay', '/acts/<act_id>',
                '/acts/<act_id>/take', '/statements/<statement_id>',
                '/act/<act_id>/<token>']:
            self.assertTrue([n for n in names if n.endswith(known)], known)
        for rule, methods in rules:
            for path in self.paths(rule):
                for method in methods:
                    with self.subTest(path=path, method=method):
                        if method == 'POST':
                            answer = self.browser.post('/' + path)
                        else:
                            answer = self.browser.get('/' + path)
                        self.assertPortalPage(answer)
        # the session lived through it
        self.assertEqual(self.browser.get('/portal/').status, 200)

    def test_unknown_address(self):
        "An address the portal does not have: its own 404, not werkzeug's"
        for path in ['/portal/no/such/page', '/portal/point/abc',
                '/portal/point/-1', '/portal/point/0']:
            with self.subTest(path=path):
                self.assertPortalPage(self.browser.get(path))
        # in the reader's language
        answer = Browser(self.server, 'ru').get(f'/portal/point/{2 ** 63}')
        self.assertPortalPage(answer)
        self.assertIn('Не найдено.', answer.text)

    def test_refused_before_dispatch(self):
        "A form from another site's page: 403 with the security headers"
        answer = self.browser.post(
            '/portal/lang', {'lang': 'en'},
            headers={'Origin': 'https://evil.example'})
        self.assertEqual(answer.status, 403)
        for name, value in HEADERS.items():
            self.assertEqual(answer.headers.get(name), value, name)
