# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The database's own secret, and the key of each purpose made from it.

The secret is drawn from ``secrets`` when the module is set up (its table's
``__register__``, run by ``trytond-admin`` in one process, never by the web
workers), so every process of the database reads the same one and no one can
compute it.  No access record lets any user read it, and no remote call
reaches the model: only the server's code does.  A key set in the
configuration file wins, for operators who keep their keys themselves."""
import base64
import hashlib
import hmac
import secrets

from sql.functions import CurrentTimestamp

from trytond import config
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.transaction import Transaction

from .exceptions import SecretError

SECRET_BYTES = 32


class Secret(ModelSQL):
    __name__ = 'server.secret'
    __string__ = "Server Secret"

    value = fields.Binary("Value", required=True)
    _secrets = Cache('server.secret', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # whatever access records an administrator may add
        cls.__rpc__ = {}

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls._draw()

    @classmethod
    def _draw(cls):
        "Draw the database's secret, unless it has one"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, limit=1))
        if not cursor.fetchone():
            value = cls.value.sql_format(secrets.token_bytes(SECRET_BYTES))
            cursor.execute(*table.insert(
                    [table.value, table.create_uid, table.create_date],
                    [[value, 0, CurrentTimestamp()]]))

    @classmethod
    def key(cls, section, option):
        """The key that the option of the configuration sets: its value
        there, else the HMAC of the database's secret with the option's
        name, as a Fernet key (32 bytes in URL-safe base64)"""
        configured = config.get(section, option, default=None)
        if configured:
            return configured
        digest = hmac.new(
            cls._secret(), f'{section}.{option}'.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode()

    @classmethod
    def _secret(cls):
        secret = cls._secrets.get('secret')
        if secret is None:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(
                    table.value, order_by=[table.id.asc], limit=1))
            row = cursor.fetchone()
            if not row:
                raise SecretError(gettext(
                        'sms.msg_secret_missing',
                        database=Transaction().database.name))
            secret = cls._secrets.set('secret', bytes(row[0]))
        return secret
