# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The portal through trytond's WSGI application (werkzeug's test client) on
the tests' database: PostgreSQL, or SQLite as the demo runs it
(TRYTOND_DATABASE_URI=sqlite:// with [database] path, or DB_NAME=:memory:)."""
import datetime as dt
import re
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from ..portal import form_id
from .test_module import create_point

PASSWORD = 'counter-password-1'
MANAGER = 'manager@example.com'
CLERK = 'clerk@example.com'
OTHER = 'other@example.com'
WRONG = 'wrong.login@example.com'
IDLE = 'idle@example.com'
# past PostgreSQL's integer, past SQLite's, and far past both
BIG_IDS = [2 ** 31, 2 ** 63, 10 ** 20]
SECRET = 'h5 secret failure text'
HEADERS = {
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    }
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PortalRouteTestCase(RouteTestCase):
    "The portal's answers to wrong logins, odd ids, errors; its sessions"
    module = 'drop_point'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Staff = pool.get('drop.point.staff')
        WebUser = pool.get('web.user')
        company = create_company()
        with set_company(company):
            point = create_point('P1', "Point One")
            other_point = create_point('P2', "Point Two")
        manager, clerk, other, wrong, idle = WebUser.create([
                {'email': e, 'password': PASSWORD}
                for e in [MANAGER, CLERK, OTHER, WRONG, IDLE]])
        Staff.create([
                {'point': point.id, 'web_user': manager.id,
                    'role': 'manager'},
                {'point': point.id, 'web_user': clerk.id},
                {'point': point.id, 'web_user': wrong.id},
                {'point': point.id, 'web_user': idle.id},
                {'point': other_point.id, 'web_user': other.id,
                    'role': 'manager'},
                ])

    @property
    def base(self):
        return f'/{self.db_name}/portal'

    def point_id(self, code='P1'):
        with Transaction().start(DB_NAME, 0):
            point, = Pool().get('drop.point').search([('code', '=', code)])
            return point.id

    def browser(self):
        "A new browser on the login page: its client and CSRF token"
        client = self.client()
        page = client.get(f'{self.base}/login').get_data(as_text=True)
        return client, CSRF.search(page)[1]

    def login(self, email, password=PASSWORD):
        "A new browser signs in: its client, CSRF token and the answer"
        client, token = self.browser()
        response = client.post(f'{self.base}/login', data={
                'email': email, 'password': password, 'csrf_token': token})
        return client, token, response

    def signed_in(self, email):
        client, token, response = self.login(email)
        self.assertEqual(response.status_code, 303)
        return client, token

    def assertPortalPage(self, response, status):
        "The portal's own page of the status, with its headers"
        self.assertEqual(response.status_code, status)
        page = response.get_data(as_text=True)
        self.assertIn('id="error-title"', page)
        self.assertIn('/portal/static/drop_point/portal.css', page)
        for name, value in HEADERS.items():
            self.assertEqual(response.headers.get(name), value, name)
        self.assertIn(
            "default-src 'self'", response.headers['Content-Security-Policy'])
        self.assertNotIn('Traceback', page)
        return page

    def test_form_id(self):
        "A form's id is the ASCII digits of an id a record can have"
        self.assertEqual(form_id('2147483647'), 2 ** 31 - 1)
        self.assertEqual(form_id('12'), 12)
        for value in ['2147483648', str(2 ** 63), str(10 ** 20), '0', '',
                None, '-1', ' 7', '7 ', '+7', '1_000', '٣', '7.0']:
            with self.subTest(value=value):
                self.assertIsNone(form_id(value))

    def test_wrong_login_same_answer(self):
        "A wrong password answers the same whether the e-mail has an account"
        answers = []
        for email in [WRONG, 'nobody@example.com']:
            client, token, response = self.login(email, 'not-the-password')
            page = response.get_data(as_text=True)
            page = page.replace(email, 'EMAIL').replace(token, 'TOKEN')
            cookies = sorted(re.sub(r'^(\w+)=[^;]*', r'\1=', c)
                for c in response.headers.getlist('Set-Cookie'))
            answers.append((response.status_code, page, cookies))
        self.assertEqual(answers[0][0], 401)
        self.assertIn('Wrong e-mail or password.', answers[0][1])
        self.assertEqual(answers[0], answers[1])

    def test_big_ids_not_found(self):
        """An id past what a record can have gets the portal's "not found"
        page before the database is asked for it (SQLite cannot even
        compare one past 2^63 - 1)"""
        Point = Pool(DB_NAME).get('drop.point')
        client, token = self.signed_in(MANAGER)
        searched = []
        search = Point.search

        def spy(domain, *args, **kwargs):
            searched.append(repr(domain))
            return search(domain, *args, **kwargs)
        with patch.object(Point, 'search', spy):
            for big in BIG_IDS:
                with self.subTest(big=big):
                    self.assertPortalPage(
                        client.get(f'{self.base}/point/{big}'), 404)
                    self.assertPortalPage(client.post(
                            f'{self.base}/point/{big}/sign-out-all',
                            data={'csrf_token': token}), 404)
            self.assertPortalPage(
                client.get(f'{self.base}/point/{2 ** 31 - 1}'), 404)
        self.assertEqual(
            [s for s in searched if any(str(b) in s for b in BIG_IDS)], [])
        # the largest id is one: it is looked for
        self.assertIn(str(2 ** 31 - 1), ' '.join(searched))
        # the session still works
        self.assertEqual(client.get(f'{self.base}/').status_code, 200)

    def test_unknown_address(self):
        "Any other address under the portal gets its page, not werkzeug's"
        client, _ = self.signed_in(MANAGER)
        for path in ['/no/such/page', '/point/abc', '/point/-1', '/point/0']:
            with self.subTest(path=path):
                self.assertPortalPage(client.get(self.base + path), 404)

    def test_unexpected_error(self):
        """An error the handler did not expect gets the portal's page with a
        reference, its text and traceback only in the log"""
        Point = Pool(DB_NAME).get('drop.point')
        client, _ = self.signed_in(MANAGER)
        url = f'{self.base}/point/{self.point_id()}'
        with patch.object(Point, 'search', side_effect=RuntimeError(SECRET)), \
                self.assertLogs('trytond.modules.drop_point', 'ERROR') as log:
            response = client.get(url)
        page = self.assertPortalPage(response, 500)
        self.assertNotIn(SECRET, page)
        self.assertNotIn('RuntimeError', page)
        self.assertIn('Something went wrong on our side', page)
        reference = re.search(
            r'id="error-reference">[^<]*?([0-9a-f]{12})<', page)[1]
        logged = '\n'.join(log.output)
        self.assertIn(reference, logged)
        self.assertIn(SECRET, logged)
        self.assertIn('Traceback', logged)

    def age_sessions(self, email, idle):
        "The e-mail's sessions were last used that long ago"
        with Transaction().start(DB_NAME, 0) as transaction:
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            cursor = transaction.connection.cursor()
            for session in Session.search([('user.email', '=', email)]):
                cursor.execute(*table.update(
                        [table.create_date, table.write_date],
                        [session.create_date - idle,
                            session.last_modified_at - idle],
                        where=table.id == session.id))

    def last_use(self, email):
        with Transaction().start(DB_NAME, 0):
            Session = Pool().get('web.user.session')
            return [s.last_modified_at
                for s in Session.search([('user.email', '=', email)])]

    def test_session_ends_after_a_shift_idle(self):
        """A session unused for 12 hours ends; one used within them lives
        on from its last use"""
        client, _ = self.signed_in(IDLE)
        self.age_sessions(IDLE, dt.timedelta(hours=11, minutes=59))
        self.assertEqual(client.get(f'{self.base}/').status_code, 200)
        used, = self.last_use(IDLE)
        self.assertLess(dt.datetime.now() - used, dt.timedelta(minutes=1))

        self.age_sessions(IDLE, dt.timedelta(hours=12, seconds=1))
        response = client.get(f'{self.base}/')
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/login'))

    def test_manager_signs_out_all_staff(self):
        """The point's manager ends every session of its staff, on every
        device; a clerk cannot, nor another point's manager"""
        point = self.point_id()
        manager, token = self.signed_in(MANAGER)
        device, _ = self.signed_in(MANAGER)
        clerk, clerk_token = self.signed_in(CLERK)
        other, other_token = self.signed_in(OTHER)
        url = f'{self.base}/point/{point}/sign-out-all'

        self.assertIn('id="sign-out-all"', manager.get(
                f'{self.base}/point/{point}').get_data(as_text=True))
        self.assertNotIn('id="sign-out-all"', clerk.get(
                f'{self.base}/point/{point}').get_data(as_text=True))
        for client, csrf in [(clerk, clerk_token), (other, other_token)]:
            self.assertPortalPage(
                client.post(url, data={'csrf_token': csrf}), 404)
        for client in [manager, device, clerk, other]:
            self.assertEqual(client.get(f'{self.base}/').status_code, 200)

        response = manager.post(url, data={'csrf_token': token})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/login'))
        for client in [manager, device, clerk]:
            self.assertEqual(client.get(f'{self.base}/').status_code, 303)
        # another point's staff works on
        self.assertEqual(other.get(f'{self.base}/').status_code, 200)


del RouteTestCase
