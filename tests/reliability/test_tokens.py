# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 6: the customers' links.  Their tokens are unguessable (10,000 from
the product's generator: all distinct, 192 bits from `secrets`); a wrong,
missing, revoked or expired one shows the same "not found" page; the pages
send no referrer and are not cached; the server's log at INFO never shows
a token.  A printed act's link opens only with the token made under the key
the server drew for its database, not one computed from the database's
name."""
import base64
import collections
import hashlib
import hmac
import secrets
import string
import unittest

from .customers import LINK, Browser, new_orders, seal_of
from .production import production_server
from .tools import log_since, log_size

PHONE, REPLACED, CANCELLED_PHONE = (
    f'+791270600{i:02d}' for i in range(1, 4))
ALPHABET = set(string.ascii_letters + string.digits + '-_')

# the product's own generators, watched: what they ask of `secrets`
GENERATE = '''
import secrets
from unittest import mock
Bag = pool.get('drop.bag')
bag, = Bag.search([('id', '=', bag_id)])
with mock.patch.object(
        secrets, 'token_urlsafe', wraps=secrets.token_urlsafe) as source:
    tokens = [Bag().new_receipt_token() for _ in range(count)]
    emails = [bag.new_email_token() for _ in range(10)]
result = {
    'tokens': tokens, 'emails': emails,
    'calls': [list(c.args) for c in source.call_args_list],
    }
'''
# the factory texts the customer a new link (as at the issue): the old one
# is revoked
NEW_LINK = '''
Bag = pool.get('drop.bag')
Bag.send_link(Bag.browse([bag_id]), 'drop_receipt.msg_sms_order')
'''
# a bag accepted at PVZ-01, then cancelled, with its receipt's link
CANCELLED = '''
Bag = pool.get('drop.bag')
Point = pool.get('drop.point')
point, = Point.search([('code', '=', 'PVZ-01')])
with transaction.set_context(company=point.company.id):
    bag = Bag(
        company=point.company, drop_point=point, seal=seal, phone=phone,
        customer=Bag.customer_for(phone), item_count=1,
        cancel_reason="The customer took the items back")
    token = bag.new_receipt_token()
    bag.save()
    Bag.accept([bag])
    Bag.cancel([bag])
result = [bag.id, token]
'''
# what the product holds of the act's printed link
ACT = '''
Handover = pool.get('drop.handover')
act = Handover.search([], order=[('id', 'ASC')], limit=1)[0]
result = [act.id, act.verification_token()]
'''


def fallback_token(database, act, number):
    """The act's token under the key a server without [drop_handover]
    secret once used: computed from the database's name"""
    key = f'drop-points-handover:{database}'.encode()
    message = '\0'.join(['drop.handover', database, str(act), number])
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip('=')


class TokensTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        # the link of one customer is replaced in a test, the other's not
        cls.order, cls.replaced = new_orders(cls.server, [PHONE, REPLACED])

    def test_tokens_unguessable(self):
        "10,000 receipt tokens: distinct, 192 bits each, from secrets"
        result = self.server.script(
            GENERATE, count=10_000, bag_id=self.order.bag)
        tokens = result['tokens']
        self.assertEqual(len(tokens), 10_000)
        self.assertEqual(len(set(tokens)), 10_000)
        # every token and e-mail token is secrets.token_urlsafe(24)
        self.assertEqual(result['calls'], [[24]] * (10_000 + 10))
        for token in tokens + result['emails']:
            self.assertEqual(len(token), 32)
            self.assertLessEqual(set(token), ALPHABET)
            raw = base64.urlsafe_b64decode(token)
            self.assertGreaterEqual(len(raw) * 8, 128)
        # 320,000 characters spread evenly over the 64 of the alphabet
        # (a generator of less entropy would leave some far from 5,000)
        counts = collections.Counter(''.join(tokens))
        self.assertEqual(set(counts), ALPHABET)
        for character, count in counts.items():
            self.assertLess(abs(count - 5_000), 1_000, character)

    def test_only_hashes_stored(self):
        "The database keeps the link's SHA-256, not the token"
        token = self.order.token
        digest = hashlib.sha256(token.encode()).hexdigest()
        rows = self.server.sql(
            "SELECT id FROM drop_bag WHERE receipt_token_hash = %s", digest)
        self.assertEqual(rows, [(self.order.bag,)])
        (count,), = self.server.sql(
            "SELECT COUNT(*) FROM sms_message WHERE text LIKE %s",
            f'%{token}%')
        self.assertEqual(count, 0)

    def not_found(self, browser, answer):
        "The answer is the page of a wrong link, with its headers"
        self.assertEqual(answer.status, 404)
        self.assertIn('Not found', answer.text)
        self.assertEqual(answer.headers['Referrer-Policy'], 'no-referrer')
        self.assertEqual(answer.headers['Cache-Control'], 'no-store')
        return answer.text

    def test_wrong_missing_revoked_expired_alike(self):
        """A wrong, missing, revoked or expired token: the same "not found"
        page, byte for byte"""
        browser = Browser(self.server)
        # a link works until the factory texts a new one
        revoked = self.replaced.token
        self.assertEqual(browser.receipt(revoked).status, 200)
        self.assertEqual(
            browser.receipt(self.new_token(self.replaced)).status, 200)
        cancelled, expired = self.server.script(
            CANCELLED, phone=CANCELLED_PHONE, seal=seal_of(CANCELLED_PHONE))
        page = browser.receipt(expired)
        self.assertEqual(page.status, 200)
        self.assertIn('Cancelled', page.text)

        # a cancelled (or issued) bag's link lives 90 days more
        self.server.sql(
            "UPDATE drop_bag SET closed_at = closed_at - interval '91 days' "
            "WHERE id = %s", cancelled, autocommit=True)
        wrong = secrets.token_urlsafe(24)
        pages = {
            'wrong': browser.receipt(wrong),
            'missing': browser.get('/bag/'),
            'revoked': browser.receipt(revoked),
            'expired': browser.receipt(expired),
            'wrong, signing': browser.post(f'/bag/{wrong}/sign'),
            'revoked, signing': browser.post(
                f'/bag/{revoked}/sign/confirm', {'code': '123456'}),
            'expired, paying': browser.post(f'/bag/{expired}/pay'),
            'wrong, PDF': browser.get(f'/bag/{wrong}/receipt.pdf'),
            }
        bodies = {}
        for name, answer in pages.items():
            with self.subTest(name):
                bodies[name] = self.not_found(browser, answer)
        self.assertEqual(len(set(bodies.values())), 1, bodies.keys())
        for token in [wrong, revoked, expired]:
            self.assertNotIn(token, bodies['wrong'])

    def test_receipt_headers(self):
        "The receipt and what it posts: no referrer, nothing cached"
        browser = Browser(self.server)
        token = self.order.token
        answers = {
            'receipt': browser.receipt(token),
            'sign': browser.post(f'/bag/{token}/sign'),
            'PDF': browser.get(f'/bag/{token}/receipt.pdf'),
            'pay': browser.post(f'/bag/{token}/pay'),
            }
        self.assertEqual(answers['pay'].status, 303)
        answers['gateway'] = browser.get(answers['pay'].headers['Location'])
        for name, answer in answers.items():
            with self.subTest(name):
                self.assertIn(answer.status, {200, 303})
                self.assertEqual(
                    answer.headers['Referrer-Policy'], 'no-referrer')
                self.assertEqual(answer.headers['Cache-Control'], 'no-store')

    def new_token(self, order):
        "A new link to the order's receipt, as the factory texts it"
        after = len(self.server.outbox)
        self.server.script(NEW_LINK, bag_id=order.bag)
        text = self.server.wait_message(order.phone, after)['text']
        return LINK.search(text)[1]

    def test_tokens_not_in_log(self):
        "The server's log at INFO shows every request, never a link's token"
        browser = Browser(self.server)
        token = self.order.token
        act, act_token = self.server.script(ACT)
        start = log_size(self.server)
        self.assertEqual(browser.receipt(token).status, 200)
        browser.post(f'/bag/{token}/sign')
        browser.get(f'/bag/{token}/receipt.pdf')
        pay = browser.post(f'/bag/{token}/pay')
        # the gateway's address holds the link too, URL-encoded
        self.assertIn('%2Fbag%2F' + token, pay.headers['Location'])
        self.assertEqual(browser.get(pay.headers['Location']).status, 200)
        self.assertEqual(browser.get(f'/act/{act}/{act_token}').status, 200)
        text = log_since(self.server, start)
        self.assertNotIn(token, text)
        self.assertNotIn(act_token, text)
        # the requests were logged, their tokens hidden
        for path in ["/bag/***'", '/bag/***/sign', '/bag/***/receipt.pdf',
                '/bag/***/pay', f'/act/{act}/***']:
            self.assertIn(path, text)
        self.assertRegex(text, r'/sandbox/\w+\?return=\S*bag(/|%2F)\*{3}')

    def test_act_token_not_from_database_name(self):
        """A printed act's page: the token the product made opens it (a
        gunicorn worker checks what another process signed), one computed
        from the database's name gets the page of a wrong link"""
        browser = Browser(self.server)
        act, token = self.server.script(ACT)
        (number,), = self.server.sql(
            "SELECT number FROM drop_handover WHERE id = %s", act)
        page = browser.get(f'/act/{act}/{token}')
        self.assertEqual(page.status, 200)
        self.assertIn(number, page.text)
        guessed = fallback_token(self.server.database, act, number)
        self.assertNotEqual(guessed, token)
        page = browser.get(f'/act/{act}/{guessed}')
        self.assertEqual(page.status, 404)
        self.assertNotIn(number, page.text)
