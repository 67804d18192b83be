# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The clerk issues an order to its customer on a phone-size screen: not
paid, paid in cash at the point, then handed out with the customer's code."""
import json
import re
import unittest

from selenium.webdriver.common.by import By

from trytond.modules.drop_point import demo

from .browser import chromium, screenshot, submitted, wait
from .server import server

CLERK = demo.POINTS[1][-1]
SEAL, PHONE = 'PL200102', '+79120000105'


class IssueBrowserTestCase(unittest.TestCase):

    def setUp(self):
        self.server = server()
        self.driver = chromium()
        self.addCleanup(self.driver.quit)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def submit(self, button):
        page = self.find('html')
        self.find(button).click()
        wait(self.driver, submitted(page))

    def last_code(self):
        outbox = self.server.directory / 'sms-outbox.jsonl'
        for line in reversed(outbox.read_text().splitlines()):
            message = json.loads(line)
            if message['phone'] == PHONE:
                return re.search(r'\d{6}', message['text']).group()

    def test_clerk_takes_the_payment_then_issues(self):
        driver = self.driver
        driver.get(f'{self.server.portal}/login')
        self.submit('#lang-en')
        self.find('#email').send_keys(CLERK)
        self.find('#password').send_keys(demo.PASSWORD)
        self.submit('#submit')
        page = self.find('html')
        driver.find_element(
            By.PARTIAL_LINK_TEXT, "Issue an order (ATL-02)").click()
        wait(driver, submitted(page))

        # the last 4 digits of the phone find the bag, never a name
        self.find('#query').send_keys(PHONE[-4:])
        self.submit('#find')
        self.assertEqual(self.find('#paid-state').text, 'NOT PAID')
        self.assertIn('1,600.00', self.find('#due').text)
        self.assertEqual(driver.find_elements(By.ID, 'send-code'), [])
        screenshot(driver, 'issue_not_paid')

        self.submit('#pay-cash')
        self.assertEqual(self.find('#paid-state').text, 'PAID')
        screenshot(driver, 'issue_paid')
        self.submit('#send-code')
        self.find('#code').send_keys(self.last_code())
        self.submit('#confirm')
        self.assertIn(f'Bag {SEAL} is issued', self.find('#issued').text)
        screenshot(driver, 'issue_done')
        width = driver.execute_script(
            'return document.documentElement.scrollWidth')
        self.assertLessEqual(width, 390)
        rows = self.server.sql(
            "SELECT b.state, c.method, c.amount FROM drop_bag b "
            "JOIN drop_bag_collection c ON c.bag = b.id WHERE b.seal = %s",
            SEAL)
        self.assertEqual(
            [(s, m, float(a)) for s, m, a in rows], [('issued', 'cash', 1600)])
