# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import datetime as dt
import logging

from cryptography.fernet import Fernet, InvalidToken
from sql import For, Null

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import reduce_ids
from trytond.transaction import Transaction

from .exceptions import MessageError, ProviderError
from .providers import get_provider

logger = logging.getLogger(__name__)
MASK = '••••••'


def _fernet():
    "The key that keeps secret parts of texts (codes) out of plain sight"
    Secret = Pool().get('server.secret')
    return Fernet(Secret.key('sms', 'secret'))


class Message(ModelSQL, ModelView):
    __name__ = 'sms.message'
    __string__ = "Text Message"

    phone = fields.Char("Phone", required=True, readonly=True)
    text = fields.Text(
        "Text", required=True, readonly=True,
        help="As sent, with one-time codes hidden.")
    secret_text = fields.Binary("Secret Text", readonly=True)
    language = fields.Char("Language", readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="The record that caused the message.")
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_try_at = fields.Timestamp("Next Try At", readonly=True)
    provider = fields.Char("Provider", readonly=True)
    provider_id = fields.Char(
        "Provider ID", readonly=True,
        help="The message's identifier at the provider.")
    provider_answer = fields.Text("Provider Answer", readonly=True)
    sent_at = fields.Timestamp("Sent At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.phone, Index.Equality())),
                Index(
                    t, (t.next_try_at, Index.Range()),
                    where=(t.state == 'queued') & (t.next_try_at != Null)),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') != 'failed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def _get_origin(cls):
        "Return the models that cause messages; modules add theirs"
        return ['sms.verification']

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        get_name = IrModel.get_name
        return [(None, '')] + [(m, get_name(m)) for m in cls._get_origin()]

    @classmethod
    def prepare(
            cls, phone, template, language=None, origin=None, secrets=None,
            **variables):
        """Return an unsaved message built from the ir.message template in
        the language; the secrets (such as codes) are hidden in its text."""
        language = language or Transaction().language
        with Transaction().set_context(language=language):
            text = gettext(template, **variables, **(secrets or {}))
            shown = gettext(
                template, **variables, **{k: MASK for k in secrets or {}})
        message = cls(
            phone=phone, text=shown, language=language, origin=origin)
        if secrets:
            message.secret_text = _fernet().encrypt(text.encode())
        return message

    @classmethod
    def create(cls, vlist):
        messages = super().create(vlist)
        cls._enqueue(messages)
        return messages

    @classmethod
    def _enqueue(cls, messages, delay=None):
        "Send each message in its own task, run after the commit"
        context = {'queue_scheduled_at': delay} if delay else {}
        with Transaction().set_context(**context):
            for message in messages:
                cls.__queue__.send([message])

    @classmethod
    @ModelView.button
    def retry(cls, messages):
        messages = [m for m in messages if m.state == 'failed']
        for message in messages:
            if message.secret_erased:
                raise MessageError(gettext(
                        'sms.msg_message_secret_erased',
                        phone=message.phone))
        cls.write(messages, {
                'state': 'queued', 'attempts': 0, 'next_try_at': None})
        cls._enqueue(messages)

    @classmethod
    def send(cls, messages):
        "Send the queued messages whose time has come, each once"
        now = dt.datetime.now()
        ids = sorted(m.id for m in messages)
        cls._lock(ids)
        # read again now that concurrent senders wait for us
        messages = [m for m in cls.browse(ids)
            if m.state == 'queued'
            and (not m.next_try_at or m.next_try_at <= now)]
        for message in messages:
            message._send(now)
        cls.save(messages)
        for message in messages:
            if message.state == 'queued':
                cls._enqueue([message], delay=message.next_try_at - now)

    @classmethod
    def _lock(cls, ids):
        "Make concurrent senders of the same messages wait for this one"
        transaction = Transaction()
        if ids and transaction.database.has_select_for():
            table = cls.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.select(
                    table.id, where=reduce_ids(table.id, ids),
                    for_=For('UPDATE')))

    def _send(self, now):
        provider = get_provider()
        self.provider = provider.name
        self.attempts = (self.attempts or 0) + 1
        try:
            text = self.plain_text
        except InvalidToken:
            # sealed with another key ([sms] secret changed): never sendable
            logger.warning("SMS %s: its secret does not decrypt", self.id)
            with Transaction().set_context(language=self.language):
                self.provider_answer = gettext('sms.msg_message_secret_key')
            self.state = 'failed'
            self.next_try_at = None
            self.secret_text = None
            return
        try:
            self.provider_id, self.provider_answer = provider.send(
                self.id, self.phone, text)
        except ProviderError as error:
            logger.info("SMS %s not taken: %s", self.id, error.answer)
            self.provider_answer = error.answer
            if error.temporary and self.attempts < self.max_attempts():
                self.next_try_at = now + self.retry_delay(self.attempts)
            else:
                self.state = 'failed'
                self.next_try_at = None
        else:
            self.state = 'sent'
            self.sent_at = now
            self.next_try_at = None
        if self.state != 'queued':
            # the code or link went out or never will: keep nothing of it
            self.secret_text = None

    @property
    def plain_text(self):
        if self.secret_text:
            return _fernet().decrypt(bytes(self.secret_text)).decode()
        return self.text

    @property
    def secret_erased(self):
        "Whether the text had secrets that are no longer kept"
        return MASK in self.text and not self.secret_text

    @staticmethod
    def max_attempts():
        return config.getint('sms', 'max_attempts', default=5)

    @staticmethod
    def retry_delay(attempts):
        "30 s, 1 min, 2 min, ... between tries"
        base = config.getint('sms', 'retry_delay', default=30)
        return dt.timedelta(seconds=base * 2 ** (attempts - 1))

    @classmethod
    def send_queued(cls):
        "Cron: send what the queue missed (worker down, retries)"
        messages = cls.search([
                ('state', '=', 'queued'),
                ['OR',
                    ('next_try_at', '=', None),
                    ('next_try_at', '<=', dt.datetime.now()),
                    ],
                ], order=[('id', 'ASC')], limit=1000)
        cls.send(messages)
