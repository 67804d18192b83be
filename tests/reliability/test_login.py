# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 8: the portal's login over HTTP against gunicorn's 2 workers: the
6th wrong password within 5 minutes is refused with 429 even if right, the
attempts counted whichever worker took them; 5 minutes later the right
password works again."""
import re
import unittest

from trytond.modules.drop_point import demo

from ..test_intake_concurrency import together
from .customers import Browser
from .production import production_server
from .tools import add_clerks, log_since, log_size

EMAIL = 'login.lock@demo.example'
WRONG = 'not-the-password'


class LoginTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        add_clerks(cls.server, [EMAIL])

    def sign_in(self, password):
        "A new browser signs in: the answer"
        browser = Browser(self.server)
        browser.get('/portal/login')
        return browser.post(
            '/portal/login', {'email': EMAIL, 'password': password})

    def attempts(self):
        (count,), = self.server.sql(
            "SELECT COUNT(*) FROM web_user_authenticate_attempt "
            "WHERE login = %s", EMAIL)
        return count

    def test_sixth_attempt_refused_even_if_right(self):
        "5 wrong passwords over both workers: the right one gets 429"
        self.assertEqual(self.sign_in(demo.PASSWORD).status, 303)
        start = log_size(self.server)

        # two at a time, as on two devices: each worker takes one (a wrong
        # password holds its worker 2^n - 1 s, n the attempts before it)
        answers = together(*[lambda: self.sign_in(WRONG)] * 2)
        answers += together(*[lambda: self.sign_in(WRONG)] * 2)
        answers.append(self.sign_in(WRONG))
        for answer in answers:
            self.assertEqual(answer.status, 401)
            self.assertIn('Wrong e-mail or password.', answer.text)
        self.assertEqual(self.attempts(), 5)

        answer = self.sign_in(demo.PASSWORD)
        self.assertEqual(answer.status, 429)
        self.assertIn('Too many failed attempts.', answer.text)
        self.assertNotIn('dp_session', ' '.join(
                answer.headers.get_all('Set-Cookie') or []))

        # the attempts went to both of gunicorn's workers
        workers = set(re.findall(
                r"^(\d+) .*/portal/login' \[POST\]",
                log_since(self.server, start), re.M))
        self.assertEqual(len(workers), 2, workers)

        # 5 minutes later
        self.server.sql(
            "UPDATE web_user_authenticate_attempt "
            "SET create_date = create_date - interval '5 min 1 s' "
            "WHERE login = %s", EMAIL, autocommit=True)
        self.assertEqual(self.sign_in(demo.PASSWORD).status, 303)
        self.assertEqual(self.attempts(), 0)
