# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A local SMTP server for the tests (aiosmtpd): it keeps the messages
trytond sends, and trytond's [email] uri points at it."""
import email
import email.policy
import socket

from aiosmtpd.controller import Controller

from trytond.config import config


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class FakeSMTP:
    "The messages received, as email.message.EmailMessage"

    def __init__(self):
        self.messages = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(
                envelope.content, policy=email.policy.default))
        return '250 OK'

    def __enter__(self):
        port = _free_port()
        self._controller = Controller(
            self, hostname='127.0.0.1', port=port)
        self._controller.start()
        if not config.has_section('email'):
            config.add_section('email')
        self._saved = {
            o: config.get('email', o) for o in config.options('email')}
        config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
        config.set('email', 'from', 'orders@example.com')
        return self

    def __exit__(self, *exc):
        self._controller.stop()
        for option in ['uri', 'from']:
            if option in self._saved:
                config.set('email', option, self._saved[option])
            else:
                config.remove_option('email', option)

    def texts(self):
        "Each message: its recipient and its plain text, on one line"
        return [(m['To'], ' '.join(
                    m.get_body(('plain',)).get_content().split()))
            for m in self.messages]
