# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A local stand-in for Stripe's API, for the tests: Stripe cannot be
reached from here.  It keeps payment intents as Stripe does, as much as
Tryton's account_payment_stripe uses of them (and their cancellation), and
makes the signed webhook events Stripe would send."""
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeStripe:
    "Payment intents at http://127.0.0.1:<port>/v1/payment_intents"

    def __init__(self):
        self.intents = {}
        self.requests = []
        self._keys = {}
        self._ids = itertools.count(1)
        self._server = None

    def __enter__(self):
        self._server = ThreadingHTTPServer(('127.0.0.1', 0), self._handler())
        threading.Thread(
            target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        return 'http://127.0.0.1:%s' % self._server.server_address[1]

    def _create(self, form, key):
        if key and key in self._keys:
            return self._keys[key]
        intent_id = f'pi_fake_{next(self._ids)}'
        intent = {
            'id': intent_id,
            'object': 'payment_intent',
            'amount': int(form['amount']),
            'amount_received': 0,
            'amount_capturable': 0,
            'currency': form['currency'].lower(),
            'description': form.get('description'),
            'client_secret': f'{intent_id}_secret_fake',
            'status': 'requires_payment_method',
            'latest_charge': None,
            'last_payment_error': None,
            'metadata': {},
            }
        self.intents[intent_id] = intent
        if key:
            self._keys[key] = intent
        return intent

    def pay(self, intent_id, amount=None):
        "The customer paid the intent on Stripe's form"
        intent = self.intents[intent_id]
        intent['status'] = 'succeeded'
        intent['amount_received'] = (
            intent['amount'] if amount is None else amount)
        return intent

    def _cancel(self, intent_id):
        """Stripe cancels an intent the customer has not paid, and refuses
        once it went through: (status, body)"""
        intent = self.intents.get(intent_id)
        if not intent:
            return 404, None
        if intent['status'] in {'succeeded', 'processing', 'canceled'}:
            return 400, {'error': {
                        'type': 'invalid_request_error',
                        'code': 'payment_intent_unexpected_state',
                        'message': "You cannot cancel this PaymentIntent "
                        f"because it has a status of {intent['status']}.",
                        }}
        intent['status'] = 'canceled'
        return 200, intent

    @staticmethod
    def event(intent, type_='payment_intent.succeeded', number=1):
        "The webhook event Stripe sends about the intent, as JSON"
        return json.dumps({
                'id': f'evt_fake_{number}',
                'object': 'event',
                'type': type_,
                'created': int(time.time()),
                'data': {'object': intent},
                })

    @staticmethod
    def signature(payload, secret):
        "The Stripe-Signature header of the payload"
        timestamp = int(time.time())
        digest = hmac.new(
            secret.encode(), f'{timestamp}.{payload}'.encode(),
            hashlib.sha256).hexdigest()
        return f't={timestamp},v1={digest}'

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                form = {k: v[-1] for k, v in urllib.parse.parse_qs(
                        self.rfile.read(length).decode()).items()}
                fake.requests.append(('POST', self.path, form))
                cancel = re.fullmatch(
                    r'/v1/payment_intents/([^/]+)/cancel', self.path)
                if self.path == '/v1/payment_intents':
                    self._reply(200, fake._create(
                            form, self.headers.get('Idempotency-Key')))
                elif cancel:
                    status, body = fake._cancel(cancel[1])
                    if body:
                        self._reply(status, body)
                    else:
                        self._not_found()
                else:
                    self._not_found()

            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                fake.requests.append(('GET', path, None))
                prefix = '/v1/payment_intents/'
                intent = (fake.intents.get(path[len(prefix):])
                    if path.startswith(prefix) else None)
                if intent:
                    self._reply(200, intent)
                else:
                    self._not_found()

            def _not_found(self):
                self._reply(404, {'error': {
                            'type': 'invalid_request_error',
                            'message': f'No such resource: {self.path}',
                            }})

        return Handler
