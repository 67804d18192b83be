# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The customer opens the receipt's link on a phone, signs it with the code
sent by SMS, and pays it in the sandbox: a declined card first, then a test
card that pays."""
import secrets
import urllib.request

from selenium.webdriver.common.by import By

from trytond.modules.drop_bag.bag import token_hash

from .browser import PhoneTestCase, screenshot
from .server import DATABASE

SEAL, PHONE = 'PL300103', '+79120000107'


class ReceiptBrowserTestCase(PhoneTestCase):

    def link(self):
        """The receipt's link the customer got: the demo's message went out
        when the database was made, so the test gives the link a new token,
        as the factory's confirmation did"""
        token = secrets.token_urlsafe(24)
        self.server.sql(
            "UPDATE drop_bag SET receipt_token_hash = %s WHERE seal = %s",
            token_hash(token), SEAL, autocommit=True)
        return f'{self.server.url}/{DATABASE}/bag/{token}'

    def test_customer_signs_and_pays(self):
        driver = self.driver
        link = self.link()
        driver.get(link)
        self.assertIn('To pay: ₽2,600.00', self.find('#due').text)
        lines = self.find('#lines').text
        self.assertIn('Костюм двойка, тёмно-синий, Hugo', lines)
        self.assertIn('Затяжка на спинке', lines)
        self.assertIn('two thousand, six hundred roubles',
            self.find('#in-words').text)
        self.assertTrue(self.find('#terms').text)
        screenshot(driver, 'receipt')
        self.assert_fits()
        # the language switch posts from the page without referrer too
        self.submit('#lang-ru')
        self.assertEqual(self.find('html').get_attribute('lang'), 'ru')
        self.submit('#lang-en')
        self.assertIn('To pay: ₽2,600.00', self.find('#due').text)

        # sign with the code sent to the phone: a wrong one first
        self.submit('#sign')
        self.assertIn('+7 912 ***-**-07', self.find('#actions').text)
        code = self.last_code(PHONE)
        self.find('#code').send_keys('000000' if code != '000000' else '1')
        self.submit('#sign-confirm')
        self.assertIn('Wrong code', self.find('#error').text)
        self.find('#code').send_keys(code)
        self.submit('#sign-confirm')
        self.assertRegex(
            self.find('#signed').text,
            r'^Signed on \d\d\.\d\d\.\d{4} \d\d:\d\d '
            r'by \+7 912 \*\*\*-\*\*-07$')
        self.assertEqual(driver.find_elements(By.ID, 'sign'), [])
        screenshot(driver, 'receipt_signed')

        # pay in the sandbox: declined, then paid
        self.submit('#pay')
        self.assertIn('SANDBOX', self.find('#sandbox-banner').text)
        # the receipt's page sends no referrer: its forms post "Origin:
        # null", and the gateway never learns the link
        self.assertEqual(
            driver.execute_script('return document.referrer'), '')
        self.assertIn('2,600.00', self.find('#amount').text)
        self.find('#card').send_keys('4000 0000 0000 0002')
        self.find('#expiry').send_keys('12/39')
        self.find('#cvc').send_keys('123')
        screenshot(driver, 'sandbox')
        self.assert_fits()
        self.submit('#charge')
        self.assertIn('declined', self.find('#notice').text)
        self.assertIn('To pay', self.find('#due').text)
        self.submit('#pay')
        self.find('#card').send_keys('4242424242424242')
        self.find('#expiry').send_keys('12/39')
        self.find('#cvc').send_keys('123')
        self.submit('#charge')
        self.assertEqual(
            self.find('#notice').text, 'Payment received. Thank you!')
        self.assertEqual(self.find('#paid').text, 'Paid')
        self.assertEqual(driver.find_elements(By.ID, 'pay'), [])
        screenshot(driver, 'receipt_paid')

        invoices = self.server.sql(
            "SELECT DISTINCT i.state FROM account_invoice i "
            "JOIN account_invoice_line il ON il.invoice = i.id "
            "JOIN sale_line sl ON il.origin = 'sale.line,' || sl.id "
            "JOIN sale_sale s ON sl.sale = s.id "
            "JOIN drop_bag b ON s.bag = b.id WHERE b.seal = %s", SEAL)
        self.assertEqual(invoices, [('paid',)])
        # the receipt's PDF, as the customer downloads it
        pdf = self.find('#pdf').get_attribute('href')
        with urllib.request.urlopen(pdf) as response:
            self.assertEqual(
                response.headers['Content-Type'], 'application/pdf')
            self.assertEqual(response.read(5), b'%PDF-')
        payments = self.server.sql(
            "SELECT p.state, p.amount FROM account_payment p "
            "JOIN drop_bag b ON p.drop_bag = b.id WHERE b.seal = %s "
            "ORDER BY p.id", SEAL)
        self.assertEqual(
            [(s, float(a)) for s, a in payments],
            [('failed', 2600), ('succeeded', 2600)])
