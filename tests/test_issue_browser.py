# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The clerk issues an order to its customer on a phone-size screen: not
paid, paid in cash at the point, then handed out with the customer's
signature drawn on the screen (the code is the scenarios')."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from trytond.modules.drop_point import demo

from .browser import PhoneTestCase, screenshot

CLERK = demo.POINTS[1][-1]
SEAL, PHONE = 'PL200102', '+79120000105'


class IssueBrowserTestCase(PhoneTestCase):

    def test_clerk_takes_the_payment_then_issues(self):
        driver = self.driver
        self.sign_in(CLERK)
        self.follow("Issue an order (ATL-02)")

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
        # the customer signs with a finger on the clerk's screen
        self.find('#handwriting-open').click()
        pad = self.find('#pad')
        ActionChains(driver).move_to_element_with_offset(pad, -120, 20) \
            .click_and_hold().move_by_offset(80, -40) \
            .move_by_offset(90, 50).move_by_offset(60, -30).release() \
            .perform()
        screenshot(driver, 'issue_handwriting')
        self.submit('#handwriting-confirm')
        self.assertIn(f'Bag {SEAL} is issued', self.find('#issued').text)
        screenshot(driver, 'issue_done')
        self.assert_fits()
        rows = self.server.sql(
            "SELECT b.state, c.method, c.amount FROM drop_bag b "
            "JOIN drop_bag_collection c ON c.bag = b.id WHERE b.seal = %s",
            SEAL)
        self.assertEqual(
            [(s, m, float(a)) for s, m, a in rows], [('issued', 'cash', 1600)])
        (confirmation, attachments), = self.server.sql(
            "SELECT b.issue_confirmation, COUNT(a.id) FROM drop_bag b "
            "JOIN ir_attachment a ON a.resource = 'drop.bag,' || b.id "
            "WHERE b.seal = %s GROUP BY b.issue_confirmation", SEAL)
        self.assertEqual((confirmation, attachments), ('handwriting', 1))
