# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The marketplace point's manager reads its partner's commission statement
on a phone: the figures, every line with its order, the PDF and the CSV; and
no other partner's statement."""
import csv
import io
from decimal import Decimal

from selenium.webdriver.common.by import By

from trytond.modules.drop_point import demo

from .browser import PhoneTestCase, screenshot

MANAGER = demo.PARTNER_MANAGER


class CommissionBrowserTestCase(PhoneTestCase):

    def fetch(self, path):
        "The response to a GET of the page's session: status, type, text"
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.text().then(t => done("
            "[r.status, r.headers.get('Content-Type'), t])));", path)

    def test_manager_reads_the_statement(self):
        driver = self.driver
        (statement, orders, earned, net), = self.server.sql(
            "SELECT s.id, s.order_count, s.earned, s.net "
            "FROM drop_commission_statement s "
            "JOIN commission_agent a ON a.id = s.agent "
            "JOIN drop_point p ON p.agent = a.id WHERE p.code = %s",
            demo.POINTS[0][0])
        # the demo's three orders at 7%: 1,200 + 2,600 + 1,200 roubles
        self.assertEqual((orders, earned), (3, Decimal('350.00')))

        self.sign_in(MANAGER)
        self.follow("Earnings of")
        cards = driver.find_elements(By.CSS_SELECTOR, '#statements li')
        self.assertEqual(len(cards), 1)
        screenshot(driver, 'commission_statements')
        self.follow(cards[0].find_element(By.TAG_NAME, 'strong').text)
        self.assertEqual(self.find('#orders').text, '3')
        self.assertEqual(self.find('#earned').text, '₽350.00')
        self.assertEqual(self.find('#net').text, f'₽{net:,.2f}')
        self.assertEqual(self.find('#state').text, 'Draft')
        lines = driver.find_elements(By.CSS_SELECTOR, '#lines li')
        self.assertGreaterEqual(len(lines), 3)
        self.assertIn('PL100301', self.find('#lines').text)
        self.assertNotIn('+7912', driver.page_source)
        screenshot(driver, 'commission_statement')
        self.assert_fits()

        status, kind, text = self.fetch(
            self.find('#csv').get_attribute('href'))
        self.assertEqual((status, kind), (200, 'text/csv; charset=utf-8'))
        rows = list(csv.reader(io.StringIO(text.lstrip('\ufeff'))))
        self.assertEqual(rows[0][:4], ['Kind', 'Rule', 'Date', 'Order'])
        body = rows[1:rows.index([])]
        self.assertEqual(sum(Decimal(r[-1]) for r in body), net)
        status, kind, _ = self.fetch(self.find('#pdf').get_attribute('href'))
        self.assertEqual((status, kind), (200, 'application/pdf'))

        # the tailor shop's statement is not this partner's to read
        (other,), = self.server.sql(
            "SELECT s.id FROM drop_commission_statement s "
            "JOIN drop_point p ON p.agent = s.agent WHERE p.code = %s",
            demo.POINTS[1][0])
        for path in ['', '/pdf', '/csv']:
            status, _, _ = self.fetch(
                f'{self.server.portal}/statements/{other}{path}')
            self.assertEqual(status, 404, path)
        self.assertNotEqual(other, statement)
