# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A clerk accepts a bag on a phone-size screen."""
import json
import re

from selenium.webdriver.common.by import By

from trytond.modules.drop_point import demo

from .browser import PhoneTestCase, screenshot, submitted, wait

CLERK = demo.POINTS[1][-1]


class IntakeBrowserTestCase(PhoneTestCase):

    def accept(self, phone, e164, seal, shots=False):
        "Sign in as the clerk and accept a bag of 4 items"
        driver = self.driver
        self.sign_in(CLERK)
        self.follow("Accept a bag at ATL-02")

        self.find('#phone').send_keys(phone)
        shots and screenshot(driver, 'intake_phone')
        self.submit('#send-code')
        self.assertIn(f"***-**-{e164[-2:]}", self.find('main').text)
        # a new code only after the delay, counted down on the button
        resend = self.find('#resend')
        self.assertFalse(resend.is_enabled())
        self.assertRegex(resend.text, r'\(\d+\)$')
        self.find('#code').send_keys(self.last_code(e164))
        self.submit('#verify')
        self.assertIn("confirmed", self.find('#verified').text)

        self.find('#seal').send_keys(seal)
        # the big stepper: 1, then three taps on +
        for _ in range(3):
            self.find('#item-more').click()
        self.assertEqual(self.find('#item_count').get_attribute('value'), '4')
        self.find('#comment').send_keys("Two shirts, trousers, a tie")
        shots and screenshot(driver, 'intake_bag')
        self.submit('#accept')
        shots and screenshot(driver, 'intake_done')

    def test_clerk_accepts_a_bag(self):
        "Phone, code, seal, count: the bag is accepted and confirmed"
        self.accept('8 (912) 555-12-34', '+79125551234', 'zx-700 100', True)
        self.assertEqual(self.find('#done-seal').text, 'ZX700100')
        self.assertEqual(self.find('#done-count').text, '4')
        (state, count, phone), = self.server.sql(
            "SELECT state, item_count, phone FROM drop_bag "
            "WHERE seal = 'ZX700100'")
        self.assertEqual(
            (state, count, phone), ('accepted', 4, '+79125551234'))

    def test_receipt_link(self):
        "The customer's link opens the preliminary receipt on a phone"
        self.accept('+7 912 555 12 35', '+79125551235', 'ZX700200')
        outbox = (self.server.directory / 'sms-outbox.jsonl').read_text()
        text = [json.loads(line)['text'] for line in outbox.splitlines()
            if 'ZX700200' in line][-1]
        link = re.search(r'https?://\S+', text).group()
        path = link.split('/', 3)[3]
        self.driver.get(f'{self.server.url}/{path}')
        screenshot(self.driver, 'receipt_preliminary')
        receipt = self.find('#receipt').text
        self.assertIn('ZX700200', receipt)
        self.assertIn('4', self.find('#items').text)

    def test_partner_bag_list(self):
        "The clerk's list shows the point's bags, masked, none of others"
        self.accept('+7 912 555 12 36', '+79125551236', 'ZX700300')
        self.driver.get(f'{self.server.portal}/')
        page = self.find('html')
        self.driver.find_element(
            By.PARTIAL_LINK_TEXT, "Bags of ATL-02").click()
        wait(self.driver, submitted(page))
        screenshot(self.driver, 'partner_bags')
        bags = self.find('#bags').text
        self.assertIn('ZX700300', bags)
        self.assertIn('+7 912 ***-**-36', bags)
        self.assertNotIn('555-12-36', bags)
        # the demo's bags of the other points are not there
        self.assertNotIn('PL100201', bags)
        self.assertNotIn('PL300101', bags)
        (pvz,), = self.server.sql(
            "SELECT id FROM drop_point WHERE code = 'PVZ-01'")
        self.driver.get(f'{self.server.portal}/point/{pvz}/bags')
        self.assertNotIn('PL100201', self.find('main').text)
