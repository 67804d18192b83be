# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Issue 16: the receipt a customer's link opens shows the customer's phone
masked, as every other page does, also when the customer is the one the
intake named after the phone."""
import unittest

from trytond.modules.sms.phone import display, mask

from .customers import Browser, new_orders, wait_processed
from .production import production_server

PHONE = '+79127400001'


class ReceiptPhoneTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        cls.order, = new_orders(cls.server, [PHONE])
        wait_processed(cls.server, cls.order)

    def test_phone_masked(self):
        "The auto-named customer's phone is masked on the receipt page"
        (name,), = self.server.sql(
            "SELECT name FROM party_party WHERE id = ("
            "SELECT customer FROM drop_bag WHERE id = %s)", self.order.bag)
        # the customer was named by the intake
        self.assertIn(mask(PHONE), name)
        for language in ['ru', 'en']:
            with self.subTest(language=language):
                answer = Browser(self.server, language).receipt(
                    self.order.token)
                self.assertEqual(answer.status, 200)
                self.assertIn('id="customer"', answer.text)
                self.assertIn(mask(PHONE), answer.text)
                self.assertNotIn(display(PHONE), answer.text)
                self.assertNotIn(PHONE, answer.text)
