# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The clerk hands a bag to the courier and the courier takes it and
delivers to the factory, each on a phone-size screen."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from trytond.modules.drop_point import demo

from .browser import PhoneTestCase, screenshot, submitted, wait

CLERK = demo.POINTS[0][-1]
SEAL = 'PL100203'


class HandoverBrowserTestCase(PhoneTestCase):

    def ticked(self):
        return sorted(
            box.find_element(By.XPATH, './ancestor::li').get_attribute(
                'data-seal')
            for box in self.driver.find_elements(
                By.CSS_SELECTOR, 'input.present') if box.is_selected())

    def state(self, seal):
        (state,), = self.server.sql(
            "SELECT state FROM drop_bag WHERE seal = %s", seal)
        return state

    def test_clerk_hands_over_courier_takes_and_delivers(self):
        driver = self.driver
        self.sign_in(CLERK)
        self.follow("Hand over to a courier (PVZ-01)")
        self.assertIn(SEAL, self.find('#bags').text)
        # a seal that is not the point's is refused on the spot
        self.find('#seal').send_keys('PL999999', Keys.ENTER)
        self.assertIn("PL999999 is not among", self.find('#tick-message').text)
        self.assertEqual(self.ticked(), [])
        # the scanner (or the clerk) types the seal and Enter: it is ticked
        self.find('#seal').send_keys('pl-100203', Keys.ENTER)
        self.assertEqual(self.ticked(), [SEAL])
        self.assertIn("Ticked: 1 of", self.find('#counter').text)
        self.assertEqual(self.find('#seal').get_attribute('value'), '')
        Select(self.find('#courier')).select_by_visible_text("Иван Петров")
        self.assert_fits()
        screenshot(driver, 'handover_clerk')
        self.submit('#hand-over')
        self.assertIn("Handed Over", self.find('#state').text)
        self.assertIn("Иван Петров", self.find('#courier-confirm').text)
        self.assertIn("+7 916 ***-**-01", self.find('#send-code').text)
        self.assert_fits()
        screenshot(driver, 'handover_clerk_sent')
        self.assertEqual(self.state(SEAL), 'in_transit')

        # the courier, on his own phone, takes the act by scanning the bag
        self.sign_in(demo.COURIER)
        self.follow("My bags")
        self.assertIn("Acts to confirm", self.find('main').text)
        page = self.find('html')
        self.find('#to-take a').click()
        wait(driver, submitted(page))
        self.find('#seal').send_keys(SEAL, Keys.ENTER)
        self.assertEqual(self.ticked(), [SEAL])
        self.assertIn("Ticked: 1 of 1", self.find('#counter').text)
        self.assert_fits()
        screenshot(driver, 'handover_courier_take')
        self.submit('#take')
        self.assertIn("Done", self.find('#state').text)
        self.assertIn("portal", self.find('#done').text)

        # what he holds, for the factory; he hands it all over there
        self.follow("Back to the home page")
        self.follow("My bags")
        form = self.find('form.destination')
        self.assertIn("To the factory", form.text)
        self.assertIn(SEAL, form.text)
        seals = [li.get_attribute('data-seal')
            for li in form.find_elements(By.CSS_SELECTOR, 'li.bag')]
        self.assert_fits()
        screenshot(driver, 'handover_courier_bags')
        page = self.find('html')
        form.find_element(By.CSS_SELECTOR, 'button.primary').click()
        wait(driver, submitted(page))
        self.assertIn("Handed Over", self.find('#state').text)
        self.assertEqual(
            sorted(li.get_attribute('data-seal')
                for li in driver.find_elements(
                    By.CSS_SELECTOR, '#lines li')), sorted(seals))
        (count,), = self.server.sql(
            "SELECT count(*) FROM drop_handover WHERE state = 'sent' "
            "AND direction = 'to_factory' AND courier IS NOT NULL "
            "AND drop_point IS NOT NULL AND from_location = "
            "(SELECT custody_location FROM web_user WHERE email = %s)",
            demo.COURIER)
        self.assertEqual(count, 1)
