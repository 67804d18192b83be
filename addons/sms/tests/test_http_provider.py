# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The HTTP gateway provider against a local fake gateway."""
import json
import unittest
import urllib.parse

from ..exceptions import ProviderError
from ..providers import HTTPGateway
from .gateway import FakeGateway
from .tools import restore_sms_options, set_sms_options


class HTTPGatewayTestCase(unittest.TestCase):

    def setUp(self):
        set_sms_options(
            http_token='secret-token', http_timeout='0.5',
            http_sender='CLEAN')
        self.addCleanup(restore_sms_options)

    def send(self, gateway):
        set_sms_options(http_url=gateway.url)
        return HTTPGateway().send(42, '+79123456789', "Привет")

    def test_success(self):
        "The gateway takes the message: its id and answer are kept"
        with FakeGateway((200, {'id': 'gw-77', 'status': 'ok'}, 0)) as gw:
            provider_id, answer = self.send(gw)
        self.assertEqual(provider_id, 'gw-77')
        self.assertIn('HTTP 200', answer)
        request, = gw.requests
        self.assertEqual(json.loads(request['body']), {
                'to': '+79123456789', 'text': "Привет", 'from': 'CLEAN'})
        self.assertEqual(
            request['headers']['Authorization'], 'Bearer secret-token')

    def test_form_fields(self):
        "The field names and the form format come from the configuration"
        set_sms_options(
            http_format='form', http_phone_field='msisdn',
            http_text_field='message', http_id_field='message_id')
        with FakeGateway((200, {'message_id': 9}, 0)) as gw:
            provider_id, _ = self.send(gw)
        self.assertEqual(provider_id, '9')
        self.assertEqual(
            urllib.parse.parse_qs(gw.requests[0]['body'])['msisdn'],
            ['+79123456789'])

    def test_provider_error_is_temporary(self):
        "A server error or a throttle is tried again later"
        for status in [500, 503, 429]:
            with self.subTest(status=status):
                with FakeGateway((status, {'error': 'busy'}, 0)) as gw:
                    with self.assertRaises(ProviderError) as context:
                        self.send(gw)
                self.assertTrue(context.exception.temporary)
                self.assertIn(f'HTTP {status}', context.exception.answer)

    def test_refusal_is_final(self):
        "A refused number is not tried again"
        with FakeGateway((400, {'error': 'bad number'}, 0)) as gw:
            with self.assertRaises(ProviderError) as context:
                self.send(gw)
        self.assertFalse(context.exception.temporary)
        self.assertIn('bad number', context.exception.answer)

    def test_timeout(self):
        "A gateway that does not answer in time is tried again later"
        with FakeGateway((200, {'id': 'late'}, 2)) as gw:
            with self.assertRaises(ProviderError) as context:
                self.send(gw)
        self.assertTrue(context.exception.temporary)
        self.assertIn('0.5 s', context.exception.answer)

    def test_malformed_answer(self):
        "An answer without an id is final: it may have been sent"
        for body in ['<html>oops</html>', {'status': 'ok'}, '[1, 2]']:
            with self.subTest(body=body):
                with FakeGateway((200, body, 0)) as gw:
                    with self.assertRaises(ProviderError) as context:
                        self.send(gw)
                self.assertFalse(context.exception.temporary)
                self.assertIn('malformed', context.exception.answer)

    def test_unreachable(self):
        "A gateway that cannot be reached is tried again later"
        with FakeGateway() as gw:
            url = gw.url
        set_sms_options(http_url=url)
        with self.assertRaises(ProviderError) as context:
            HTTPGateway().send(1, '+79123456789', "x")
        self.assertTrue(context.exception.temporary)
