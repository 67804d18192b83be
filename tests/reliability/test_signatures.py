# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 12: the customer's signature of the receipt, made over HTTP with the
code sent by SMS.  Its stored hash is the SHA-256 of the document shown
again; the back office's client (JSON-RPC, as the demo manager or as admin,
even after admin grants itself the access) cannot create, change or delete
the evidence; and the order the customer signed cannot be changed through
the client (issue 16, defect 4): the signature holds."""
import hashlib
import re
import unittest

from trytond.modules.drop_point import demo

from .customers import Browser, code_of, new_orders, wait_processed
from .production import production_server
from .tools import RPC

SIGNED, KEPT, EDITED = (f'+791271200{i:02d}' for i in range(1, 4))
EVIDENCE = (
    "A receipt signature is the customer's evidence: it cannot be created, "
    "changed or deleted by hand.")
# the document the signature keeps, rendered again by the product
RENDERED = '''
from trytond.modules.drop_receipt.document import Document
Signature = pool.get('drop.receipt.signature')
signature = Signature(signature_id)
result = Document(signature.bag, signature.language).digest
'''


def call(rpc, name, method, *params):
    "Call the model's method as the client does, in English: the result"
    return rpc.call(
        f'model.{name}.{method}', [*params, dict(rpc.context, language='en')])


class SignaturesTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        phones = [SIGNED, KEPT, EDITED]
        cls.orders = dict(zip(phones, new_orders(cls.server, phones)))
        for order in cls.orders.values():
            wait_processed(cls.server, order)

    def sign(self, order):
        "The customer signs the receipt with the code sent: the page"
        customer = Browser(self.server)
        customer.receipt(order.token)
        after = len(self.server.outbox)
        self.assertEqual(
            customer.post(f'/bag/{order.token}/sign').status, 200)
        code = code_of(self.server.wait_message(order.phone, after))
        page = customer.post(
            f'/bag/{order.token}/sign/confirm', {'code': code})
        self.assertEqual(page.status, 200)
        self.assertIn('id="signed"', page.text)
        return page

    def signatures(self, order):
        return self.server.sql(
            "SELECT id, state, document_hash, phone, ip_address, signed_at, "
            "voided_at FROM drop_receipt_signature WHERE bag = %s "
            "ORDER BY id", order.bag)

    @staticmethod
    def document(page):
        "The document as the receipt's page shows it"
        return re.search(
            r'<section class="document" id="document">.*</section>',
            page.text, re.S)[0]

    def digest(self, page):
        "The SHA-256 of the document the page shows"
        return hashlib.sha256(self.document(page).encode()).hexdigest()

    def test_hash_of_document(self):
        "The stored hash is the SHA-256 of the document shown again"
        order = self.orders[SIGNED]
        self.sign(order)
        (id_, state, digest, phone, address, _, _), = self.signatures(order)
        self.assertEqual(
            (state, phone, address), ('valid', SIGNED, '127.0.0.1'))
        self.assertEqual(self.server.script(
                RENDERED, signature_id=id_), digest)
        page = Browser(self.server).receipt(order.token)
        self.assertIn('id="signed"', page.text)
        self.assertEqual(self.digest(page), digest)

    def test_evidence_kept(self):
        "Neither the manager nor admin can change or delete the evidence"
        order = self.orders[KEPT]
        self.sign(order)
        before = self.signatures(order)
        (id_, *_), = before
        (verification,), = self.server.sql(
            "SELECT verification FROM drop_receipt_signature WHERE id = %s",
            id_)
        model = 'drop.receipt.signature'
        manager = RPC(self.server, demo.BACK_OFFICE, demo.PASSWORD)
        admin = RPC(self.server, 'admin', 'admin')
        read, = call(manager, model, 'read', [id_], ['document_hash'])
        self.assertEqual(read['document_hash'], before[0][2])
        changes = {
            'write': ([id_], {'ip_address': '203.0.113.9'}),
            'write hash': ([id_], {'document_hash': '0' * 64}),
            'write state': ([id_], {'state': 'void'}),
            'delete': ([id_],),
            'create': ([{
                    'order': order.sale, 'bag': order.bag,
                    'phone': KEPT, 'signed_at': {
                        '__class__': 'datetime', 'year': 2025, 'month': 1,
                        'day': 1, 'hour': 0, 'minute': 0, 'second': 0,
                        'microsecond': 0},
                    'verification': verification, 'language': 'en',
                    'document_hash': '0' * 64}],),
            }
        clients = {'manager': manager, 'admin': admin}

        def refused(client, name):
            method = name.split()[0]
            with self.assertRaises(RuntimeError, msg=name) as refusal:
                call(client, model, method, *changes[name])
            kind, (message, *_) = refusal.exception.args[0]
            self.assertEqual(kind, 'UserError')
            return message

        for login, client in clients.items():
            for name in changes:
                with self.subTest(client=login, change=name):
                    self.assertIn(
                        'Receipt Signature', refused(client, name))
        # through the order's list of signatures
        with self.assertRaises(RuntimeError):
            call(admin, 'sale.sale', 'write', [order.sale], {
                    'signatures': [('delete', [id_])]})

        # admin grants the groups of both every access to the signatures
        users = call(admin, 'res.user', 'search', [
                ('login', 'in', ['admin', demo.BACK_OFFICE])])
        groups = {g for u in call(admin, 'res.user', 'read', users, ['groups'])
            for g in u['groups']}
        access = call(admin, 'ir.model.access', 'create', [{
                    'model': model, 'group': group, 'perm_read': True,
                    'perm_write': True, 'perm_create': True,
                    'perm_delete': True} for group in groups])
        self.addCleanup(call, admin, 'ir.model.access', 'delete', access)
        for login, client in clients.items():
            for name in changes:
                with self.subTest(client=login, change=name, access=True):
                    self.assertIn(EVIDENCE, refused(client, name))
        self.assertEqual(self.signatures(order), before)

    def test_signed_order_frozen(self):
        """The manager cannot reprice or change a signed order: refused,
        naming the order; the signature and the receipt stay as signed"""
        order = self.orders[EDITED]
        self.sign(order)
        (id_, _, digest, *_), = self.signatures(order)
        manager = RPC(self.server, demo.BACK_OFFICE, demo.PASSWORD)
        (sale,) = call(
            manager, 'sale.sale', 'read', [order.sale], ['lines', 'rec_name'])
        line, = sale['lines']
        changes = {
            'unit price': {'unit_price': {
                    '__class__': 'Decimal', 'decimal': '1.00'}},
            'quantity': {'quantity': 3},
            'defects': {'item_defects': "A button is missing"},
            }
        for name, values in changes.items():
            with self.subTest(change=name), \
                    self.assertRaises(RuntimeError) as refusal:
                call(manager, 'sale.line', 'write', [line], values)
            kind, (message, *_) = refusal.exception.args[0]
            self.assertEqual(kind, 'UserError')
            self.assertIn(f'Order "{sale["rec_name"]}"', message)
        with self.assertRaises(RuntimeError):
            call(manager, 'sale.line', 'delete', [line])
        self.assertEqual(
            [(i, s, d) for i, s, d, *_ in self.signatures(order)],
            [(id_, 'valid', digest)])
        page = Browser(self.server).receipt(order.token)
        self.assertIn('id="signed"', page.text)
        self.assertEqual(self.digest(page), digest)
