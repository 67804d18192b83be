# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""SMS providers, chosen by [sms] provider in the configuration.

A provider's send(message_id, phone, text) returns (provider id, answer) or
raises ProviderError (temporary, to be retried, or not)."""
import datetime as dt
import json
import logging

import requests

from trytond.config import config

from .exceptions import ProviderError

logger = logging.getLogger(__name__)
_providers = {}


def register(cls):
    _providers[cls.name] = cls
    return cls


def get_provider():
    name = config.get('sms', 'provider', default='outbox')
    return _providers[name]()


@register
class Outbox:
    """Keeps messages for development, demo and tests: they stay readable
    in the back office and are appended, as JSON lines, to [sms] outbox_file
    when it is set."""
    name = 'outbox'

    def send(self, message_id, phone, text):
        path = config.get('sms', 'outbox_file', default=None)
        if path:
            line = json.dumps({
                    'id': message_id, 'phone': phone, 'text': text,
                    'at': dt.datetime.now().isoformat()},
                ensure_ascii=False)
            with open(path, 'a', encoding='utf-8') as outbox:
                outbox.write(line + '\n')
        return f'outbox-{message_id}', 'kept in the outbox'


@register
class HTTPGateway:
    """A generic HTTP gateway: POST the phone and the text as JSON or form
    fields to [sms] http_url with a bearer token, read the message id from
    the JSON answer."""
    name = 'http'

    def option(self, name, default=None):
        return config.get('sms', f'http_{name}', default=default)

    def send(self, message_id, phone, text):
        payload = {
            self.option('phone_field', 'to'): phone,
            self.option('text_field', 'text'): text,
            }
        if self.option('sender'):
            payload[self.option('sender_field', 'from')] = (
                self.option('sender'))
        headers = {}
        if self.option('token'):
            headers['Authorization'] = f"Bearer {self.option('token')}"
        body = ({'data': payload} if self.option('format') == 'form'
            else {'json': payload})
        timeout = float(self.option('timeout', 10))
        try:
            response = requests.post(
                self.option('url'), headers=headers, timeout=timeout, **body)
        except requests.Timeout:
            raise ProviderError(f"no answer within {timeout:g} s")
        except requests.RequestException as exception:
            raise ProviderError(f"connection failed: {exception}")
        return self._read(response)

    def _read(self, response):
        answer = f"HTTP {response.status_code}: {response.text[:500]}"
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(answer)
        if response.status_code >= 400:
            raise ProviderError(answer, temporary=False)
        try:
            provider_id = response.json()[self.option('id_field', 'id')]
        except (ValueError, KeyError, TypeError):
            # the gateway may have taken it: do not send it again blindly
            raise ProviderError(f"malformed answer: {answer}", temporary=False)
        return str(provider_id), answer
