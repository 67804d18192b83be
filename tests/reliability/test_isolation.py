# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 9: a partner reaches nothing of another partner, through every
model the portal reaches and every portal screen that takes an id.

The models come from the database (the portal group's access records and
every model Tryton's access lets its user touch), so that a model added
later is checked without being named here; only the models every partner
may read are named (SHARED), each for a reason."""
import importlib
import pathlib
import re
import unittest
import urllib.error

from trytond.modules.drop_point import demo
from trytond.wsgi import app

from ..server import MODULES
from ..test_intake_concurrency import Clerk
from .production import production_server

HERE = pathlib.Path(__file__).parent
# reference data and platform metadata: the same for every partner, no
# record of a partner, a customer, a person or a session (the portal user
# still writes none of them)
SHARED = frozenset({
    # the company, its money, countries and languages
    'company.company', 'company.company.tax_identifier', 'country.country',
    'country.organization', 'country.organization.member',
    'country.postal_code', 'country.region', 'country.subdivision',
    'currency.cron', 'currency.currency', 'currency.currency.rate',
    'ir.lang',
    # the catalogue of services and its units
    'product.category', 'product.category-customer-account.tax',
    'product.category-supplier-account.tax', 'product.configuration',
    'product.cost_price.revision', 'product.identifier', 'product.product',
    'product.template', 'product.uom', 'product.uom.category',
    # the chart of accounts, taxes, journals, periods, payment terms and
    # methods: the company's set-up, no one's balance or document
    'account.account', 'account.account.template', 'account.account.type',
    'account.configuration', 'account.fiscalyear',
    'account.fiscalyear.invoice_sequence',
    'account.invoice.payment.mean.rule', 'account.invoice.payment.method',
    'account.invoice.payment_term', 'account.invoice.payment_term.line',
    'account.invoice.payment_term.line.delta', 'account.journal',
    'account.journal.period', 'account.move.reconcile.write_off',
    'account.period', 'account.tax', 'account.tax.code',
    'account.tax.code.line', 'account.tax.code.line.template',
    'account.tax.code.template', 'account.tax.group', 'account.tax.rule',
    'account.tax.rule.line', 'account.tax.rule.line.template',
    'account.tax.rule.template', 'account.tax.template',
    # the settings of the modules
    'party.address.format', 'party.address.subdivision_type',
    'party.category', 'party.configuration', 'sale.configuration',
    'stock.configuration', 'drop.handover.configuration',
    'drop.receipt.configuration', 'drop.commission.configuration',
    # the kinds of points and the commission rules of each kind: the same
    # offer to every partner of a kind
    'drop.point.type', 'drop.commission.rule',
    # the network's locations: the points are public places, the factory
    # and the couriers' vans are where bags go (the courier screen names
    # them)
    'stock.location', 'stock.location.lead_time',
    # Tryton's own definitions: models, fields, views, menus, actions,
    # messages, translations, rules, groups, sequence types, crons,
    # triggers, saved export layouts and the module list
    'ir.action', 'ir.action.act_window', 'ir.action.act_window.domain',
    'ir.action.act_window.view', 'ir.action.keyword', 'ir.action.report',
    'ir.action.url', 'ir.action.wizard', 'ir.cron', 'ir.email.template',
    'ir.export', 'ir.export.line', 'ir.message', 'ir.model',
    'ir.model.access', 'ir.model.button', 'ir.model.button.rule',
    'ir.model.field', 'ir.model.field.access', 'ir.module',
    'ir.module.dependency', 'ir.rule', 'ir.rule.group', 'ir.sequence.type',
    'ir.translation', 'ir.trigger', 'ir.ui.icon', 'ir.ui.menu',
    'ir.ui.view', 'res.group',
    })
# the models of the partners' own records: each must show some user its
# records and some user another partner's, or the check proves nothing
PARTNER_MODELS = [
    'drop.point', 'drop.point.staff', 'drop.bag', 'drop.bag.discrepancy',
    'drop.handover', 'drop.handover.line', 'drop.commission.statement']
# the model of each id a portal URL takes
URL_IDS = {
    'point_id': 'drop.point', 'bag_id': 'drop.bag',
    'act_id': 'drop.handover', 'statement_id': 'drop.commission.statement'}
# records of another partner tried per URL
PER_URL = 3


def portal_rules():
    "The portal's URL rules that take an id, with their methods"
    for module in MODULES:
        importlib.import_module(f'trytond.modules.{module}')
    for rule in app.url_map.iter_rules():
        if (rule.rule.startswith('/<database_name>/portal/')
                and '<id:' in rule.rule):
            yield rule.rule, sorted(rule.methods - {'HEAD', 'OPTIONS'})


class IsolationTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        cls.users = dict(cls.server.sql("SELECT email, id FROM web_user"))
        cls.pairs = cls._pairs()
        source = (HERE / 'isolation.py').read_text()
        cls.result = cls.server.script(
            source + '\nresult = check(pool, transaction, pairs, shared)\n',
            pairs=cls.pairs, shared=sorted(SHARED))

    @classmethod
    def _pairs(cls):
        """[reader, other] of the portal users that share no point: staff
        of other points, and the courier for the points it never served"""
        points = {}
        for user, point in cls.server.sql(
                "SELECT web_user, point FROM drop_point_staff "
                "UNION SELECT courier, drop_point FROM drop_handover "
                "WHERE courier IS NOT NULL AND drop_point IS NOT NULL"):
            points.setdefault(user, set()).add(point)
        (courier,), = cls.server.sql(
            "SELECT id FROM web_user WHERE email = %s", demo.COURIER)
        staff = [u for u in points if u != courier]
        return [[x, y] for x in staff for y in points
            if x != y and not points[x] & points[y]]

    def test_models_isolated(self):
        "No model gives a partner another's records, nor lets it write"
        holes = ['{model} {operation} by web user {user}: {outcome}'.format(
                **h) for h in self.result['holes']]
        self.assertEqual(holes, [])

    def test_check_not_vacuous(self):
        "The partners' records were there to be looked for"
        seen = self.result['seen']
        # read from the database: Tryton's models that every user reads
        # are there too
        self.assertLessEqual(
            {'web.user', 'res.user', 'party.address.format', *PARTNER_MODELS},
            set(self.result['models']))
        for model in PARTNER_MODELS:
            with self.subTest(model=model):
                self.assertTrue(any(
                        seen[model][str(y)] for _, y in self.pairs))
        self.assertFalse(SHARED - set(self.result['models']),
            "a shared model the portal does not reach: update SHARED")

    def test_screens_isolated(self):
        "Every portal URL with an id answers 404 for another's records"
        rules = list(portal_rules())
        self.assertTrue(rules)
        seen = self.result['seen']
        emails = {v: k for k, v in self.users.items()}
        clerks = {}
        for reader, other in self.pairs:
            clerk = clerks.get(reader) or Clerk(self.server, emails[reader])
            clerks[reader] = clerk
            own = seen['drop.point'][str(reader)]
            # the reader's own point opens: its session works
            self.assertEqual(self._open(clerk, 'GET', f'/point/{own[0]}')[0],
                200)
            secrets = self._identifiers(seen, other, reader)
            for rule, methods in rules:
                for path in self._paths(rule, seen, own[0], other):
                    for method in methods:
                        with self.subTest(
                                reader=reader, other=other, path=path,
                                method=method):
                            status, page = self._open(clerk, method, path)
                            self.assertEqual(status, 404)
                            leaked = [s for s in secrets if s in page]
                            self.assertEqual(leaked, [])

    def _paths(self, rule, seen, own_point, other):
        """The rule's paths with another's records: its point's, or the
        reader's point and another's record"""
        names = re.findall(r'<id:(\w+)>', rule)
        for name in names:
            self.assertIn(name, URL_IDS, f"{rule}: which model is {name}?")
        template = re.sub(r'<id:(\w+)>', r'{\1}', rule.split(
                '/portal', 1)[1])
        theirs = {n: seen[URL_IDS[n]][str(other)][:PER_URL] for n in names}
        for name in names:
            for record in theirs[name]:
                values = {n: own_point if n == 'point_id'
                    else (theirs[n] or [None])[0] for n in names}
                values[name] = record
                if all(values.values()):
                    yield template.format(**values)

    def _identifiers(self, seen, other, reader):
        "What would show another's records on a page: seals, numbers, codes"
        def ids(model):
            return [i for i in seen[model][str(other)]
                if i not in seen[model][str(reader)]] or [-1]
        rows = self.server.sql(
            "SELECT code FROM drop_point WHERE id = ANY(%s) "
            "UNION SELECT seal FROM drop_bag WHERE id = ANY(%s) "
            "UNION SELECT number FROM drop_handover WHERE id = ANY(%s) "
            "UNION SELECT number FROM drop_commission_statement "
            "WHERE id = ANY(%s)",
            ids('drop.point'), ids('drop.bag'), ids('drop.handover'),
            ids('drop.commission.statement'))
        return sorted(v for v, in rows if v)

    @staticmethod
    def _open(clerk, method, path):
        if method == 'POST':
            return clerk.post(path)
        try:
            return 200, clerk.get(path)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors='replace')
