# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import hashlib
import hmac
import json

from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from ..payment import sign


class DropReceiptTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Drop Receipt module"
    module = 'drop_receipt'

    @with_transaction()
    def test_sandbox_fallback_key_refused(self):
        """A notice signed with "sandbox", the key a server without
        [drop_receipt] sandbox_secret used, is forged"""
        Payment = Pool().get('account.payment')
        body = json.dumps({
                'reference': '0' * 32, 'status': 'succeeded',
                'amount': '10.00', 'currency': 'USD'}).encode()
        guessed = hmac.new(b'sandbox', body, hashlib.sha256).hexdigest()
        self.assertEqual(Payment.sandbox_notice(body, guessed), 'forged')
        # the server's own key gets past the signature: no such payment
        self.assertNotEqual(sign(body), guessed)
        self.assertEqual(Payment.sandbox_notice(body, sign(body)), 'unknown')


del ModuleTestCase
