# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The partner portal shell in a real browser, on a phone-size screen."""
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from trytond.modules.drop_point import demo
from trytond.modules.drop_point.tests.portal_client import PortalClient

from .browser import chromium, screenshot, submitted, wait
from .server import server

PVZ_CLERK = demo.POINTS[0][-1]
ATELIER_CLERK = demo.POINTS[1][-1]
CONCIERGE_CLERK = demo.POINTS[2][-1]


class PortalBrowserTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = server()
        cls.driver = chromium()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def setUp(self):
        self.driver.get(f'{self.server.portal}/login')
        self.driver.delete_all_cookies()

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self):
        return self.find('main').text

    def submit(self, button):
        "Click a form's button and wait for the next page"
        page = self.find('html')
        self.find(button).click()
        # the server slows down each wrong attempt against brute force
        wait(self.driver, submitted(page), timeout=40)

    def open_login(self, language):
        self.driver.get(f'{self.server.portal}/login')
        self.submit(f'#lang-{language}')
        self.assertIn('current', self.find(f'#lang-{language}').get_attribute(
                'class'))

    def sign_in(self, email, password=demo.PASSWORD):
        self.find('#email').clear()
        self.find('#email').send_keys(email)
        self.find('#password').send_keys(password)
        self.submit('#submit')

    def point_id(self, code):
        (id_,), = self.server.sql(
            "SELECT id FROM drop_point WHERE code = %s", code)
        return id_

    def test_clerk_signs_in_and_out_in_english(self):
        "A clerk signs in, sees the point and the role, and signs out"
        self.open_login('en')
        self.assertIn("Sign in", self.text())
        self.sign_in(PVZ_CLERK)
        wait(self.driver, EC.presence_of_element_located((By.ID, 'points')))
        screenshot(self.driver, 'portal_home_en')
        points = self.find('#points').text
        self.assertIn("PVZ-01", points)
        self.assertIn("Marketplace pick-up point", points)
        self.assertIn("Clerk", points)
        self.assertNotIn("ATL-02", points)

        self.submit('#logout')
        self.assertTrue(self.find('#email').is_displayed())
        self.driver.get(f'{self.server.portal}/')
        self.assertTrue(self.driver.current_url.endswith('/portal/login'))

    def test_clerk_signs_in_in_russian(self):
        "The portal speaks Russian once the clerk chooses it"
        self.open_login('ru')
        screenshot(self.driver, 'portal_login_ru')
        self.assertIn("Вход", self.text())
        self.sign_in(ATELIER_CLERK)
        wait(self.driver, EC.presence_of_element_located((By.ID, 'points')))
        screenshot(self.driver, 'portal_home_ru')
        self.assertIn("Мои пункты приёма", self.text())
        points = self.find('#points').text
        self.assertIn("ATL-02", points)
        self.assertIn("Ателье", points)
        self.assertIn("Приёмщик", points)
        self.assertEqual(self.find('#logout').text, "Выйти")

    def test_wrong_password_is_told(self):
        "A wrong password shows a clear message and no session"
        self.open_login('en')
        self.sign_in(PVZ_CLERK, 'not-the-password')
        screenshot(self.driver, 'portal_login_wrong')
        self.assertEqual(
            self.find('#error').text, "Wrong e-mail or password.")
        self.assertIsNone(self.driver.get_cookie('dp_session'))

    def test_too_many_wrong_passwords_lock_the_login(self):
        "After 5 wrong passwords even the right one is refused for a while"
        self.open_login('en')
        for _ in range(5):
            self.sign_in(CONCIERGE_CLERK, 'wrong-password')
            self.assertEqual(
                self.find('#error').text, "Wrong e-mail or password.")
        self.sign_in(CONCIERGE_CLERK)
        screenshot(self.driver, 'portal_login_locked')
        self.assertEqual(
            self.find('#error').text,
            "Too many failed attempts. "
            "Wait a few minutes before trying again.")
        self.assertIsNone(self.driver.get_cookie('dp_session'))
        status, _ = self._post_login(CONCIERGE_CLERK, demo.PASSWORD)
        self.assertEqual(status, 429)

    def test_clerk_cannot_open_another_points_page(self):
        "A clerk who edits the URL to reach another point gets 'not found'"
        self.open_login('en')
        self.sign_in(PVZ_CLERK)
        wait(self.driver, EC.presence_of_element_located((By.ID, 'points')))
        own, other = self.point_id('PVZ-01'), self.point_id('ATL-02')
        self.driver.get(f'{self.server.portal}/point/{own}')
        self.assertIn("PVZ-01", self.find('#point-name').text)
        screenshot(self.driver, 'portal_point')

        self.driver.get(f'{self.server.portal}/point/{other}')
        screenshot(self.driver, 'portal_point_other')
        self.assertEqual(self.find('#error-title').text, "Not found.")
        self.assertNotIn("ATL-02", self.driver.page_source)
        self.assertNotIn("Ателье", self.driver.page_source)

    def test_form_without_csrf_token_is_refused(self):
        "A form posted without its CSRF token is refused and signs no one in"
        self.open_login('en')
        self.driver.execute_script(
            "document.querySelector('main form input[name=csrf_token]')"
            ".remove()")
        self.sign_in(PVZ_CLERK)
        self.assertEqual(
            self.find('#error-title').text,
            "The form has expired. Go back, reload the page and try again.")
        self.assertIsNone(self.driver.get_cookie('dp_session'))

    def test_post_from_foreign_origin_is_refused(self):
        "A POST carrying another site's Origin is refused with 403"
        status, _ = self._post_login(
            PVZ_CLERK, demo.PASSWORD, origin='https://evil.example')
        self.assertEqual(status, 403)
        status, _ = self._post_login(PVZ_CLERK, demo.PASSWORD)
        self.assertEqual(status, 200)

    def _post_login(self, email, password, origin=None):
        "Post the login form as a script would; return status and page"
        client = PortalClient.http(self.server.url, self.server.database)
        client.get('/portal/login')
        page = client.post('/portal/login', email=email, password=password,
            headers={'Origin': origin} if origin else None)
        return page.status, page.text
