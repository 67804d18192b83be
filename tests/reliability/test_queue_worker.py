# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The queue worker stopped, or killed, while text messages wait: once it
runs again each message is sent, and none twice (the outbox file, and the
messages' states and attempts in PostgreSQL)."""
import collections
import os
import re
import signal
import time
import unittest

from ..test_intake_concurrency import Clerk
from .tools import done_card, faults_server, wait_queue

COUNT = 100

# what an intake queues for its customer, 100 times in one transaction:
# each message's creation pushes its own ir.queue task, run after the commit
QUEUE_MESSAGES = '''
Message = pool.get('sms.message')
messages = [Message.prepare(
        f'+7912777{i:04d}', 'drop_bag.msg_sms_accepted', language='en',
        secrets={'url': f'http://localhost/bag/token{i}'}, seal=f'QW{i:06d}',
        count=1, point='PVZ')
    for i in range(count)]
Message.save(messages)
result = [m.id for m in messages]
'''


class QueueWorkerTestCase(unittest.TestCase):
    "On the faults server, whose queue worker is stopped and killed"

    @classmethod
    def setUpClass(cls):
        cls.server = faults_server()

    def setUp(self):
        wait_queue(self.server)

    def sql(self, query, *params):
        return self.server.sql(query, *params)

    def messages(self, ids):
        return self.sql(
            "SELECT id, state, attempts FROM sms_message "
            "WHERE id = ANY(%s) ORDER BY id", ids)

    def wait_sent(self, ids, timeout=120):
        "Wait until the outbox has each message"
        deadline = time.monotonic() + timeout
        while not set(ids) <= {m['id'] for m in self.server.outbox}:
            self.assertLess(time.monotonic(), deadline,
                "the queue worker did not send the messages")
            time.sleep(0.1)

    def assertSentOnce(self, ids):
        "Each message sent once: in the outbox once, sent at the first try"
        wait_queue(self.server)
        sent = collections.Counter(m['id'] for m in self.server.outbox)
        self.assertEqual({i: sent[i] for i in ids}, dict.fromkeys(ids, 1))
        self.assertEqual(self.messages(ids), [(i, 'sent', 1) for i in ids])
        self.assertEqual([n for n in sent.values() if n > 1], [])

    def test_stopped_while_queued(self):
        "100 messages queued while the worker is stopped: each sent once"
        self.server.stop_worker()
        ids = self.server.script(QUEUE_MESSAGES, count=COUNT)
        self.assertEqual(len(ids), COUNT)
        self.assertEqual(self.messages(ids), [(i, 'queued', 0) for i in ids])
        (tasks,), = self.sql(
            "SELECT COUNT(*) FROM ir_queue WHERE dequeued_at IS NULL "
            "AND data::text LIKE '%%sms.message%%'")
        self.assertEqual(tasks, COUNT)
        self.assertFalse({m['id'] for m in self.server.outbox} & set(ids))

        self.server.start_worker()
        self.wait_sent(ids)
        self.assertSentOnce(ids)
        outbox = {m['id']: m for m in self.server.outbox}
        # the text with its secret, to the phone of its message
        self.assertEqual(
            [(outbox[i]['phone'], outbox[i]['text'].split()[-1])
                for i in ids],
            [(f'+7912777{n:04d}', f'http://localhost/bag/token{n}')
                for n in range(COUNT)])

    def test_killed_while_idle(self):
        """The idle worker killed: what is queued meanwhile is sent once it
        runs again, and it goes on sending (a whole intake)"""
        # idle: no task taken and not finished
        self.assertEqual(self.sql(
                "SELECT COUNT(*) FROM ir_queue WHERE dequeued_at IS NOT NULL "
                "AND finished_at IS NULL"), [(0,)])
        worker = self.server.worker
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

        clerk = Clerk(self.server)
        phone = '+79127780001'
        after = len(self.server.outbox)
        intake = f'/point/{clerk.point}/intake'
        status, _ = clerk.post(f'{intake}/code', phone=phone)
        self.assertEqual(status, 200)
        self.assertEqual(self.sql(
                "SELECT state FROM sms_message WHERE phone = %s", phone),
            [('queued',)])
        self.assertEqual(len(self.server.outbox), after)

        self.server.start_worker()
        # the code sent by the new worker lets the intake go on
        code = re.search(r'\d{6}', self.server.wait_message(
                phone, after)['text']).group()
        status, page = clerk.post(f'{intake}/verify', phone=phone, code=code)
        self.assertEqual(status, 200, page)
        form = dict(re.findall(
                r'name="(verification|request_id)" value="([^"]+)"', page))
        status, page = clerk.accept(phone, 'QK-100 200', form)
        self.assertEqual(status, 200, page)
        self.assertIn('QK100200', done_card(page))
        self.server.wait_message(phone, after=after + 1)
        ids = [i for i, in self.sql(
                "SELECT id FROM sms_message WHERE phone = %s ORDER BY id",
                phone)]
        self.assertSentOnce(ids)
        self.assertEqual(
            [m['id'] for m in self.server.outbox[after:]], ids)
