# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Intakes that race each other, repeat themselves or hit a serialization
failure, over HTTP through the partner portal of the production-like server
(gunicorn's 2 workers, the queue worker sending the text messages), checked
in PostgreSQL."""
import collections
import functools
import threading
import time
import unittest

import psycopg

from ..test_intake_concurrency import together
from .production import production_server
from .tools import (
    add_clerks, done_card, faults_server, log_since, log_size, verify,
    wait_queue)

SEAL = 'AB123456'
USED = {
    'en': "This seal is already used",
    'ru': "Эта пломба уже использована",
    }
REUSED = {
    'en': "This intake request was already used for another bag",
    'ru': "Этот запрос приёма уже использован для другого пакета",
    }


def seal_variants(count):
    """The seal AB123456 written count ways: the issue's two, then the
    letters' cases with spaces and dashes between the groups"""
    variants = ['ab-123 456', 'AB123456']
    for a in 'aA':
        for b in 'bB':
            for first in ['', ' ', '-', ' - ']:
                for second in ['', ' ', '-', '  ']:
                    variant = f'{a}{b}{first}123{second}456'
                    if variant not in variants:
                        variants.append(variant)
    assert len(variants) >= count
    return variants[:count]


def phones(first, count):
    return [f'+7912555{n:04d}' for n in range(first, first + count)]


class IntakeRacesTestCase(unittest.TestCase):
    "On the suite's shared production-like server"

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()
        # the hourly limit of codes per sender (30) keeps a clerk from
        # asking for 50: two new clerks of the point ask for 25 each, over
        # HTTP; a third one does the repeated requests
        cls.english, cls.russian, cls.repeater = add_clerks(cls.server, [
                'race.en@h1.example', 'race.ru@h1.example',
                'repeat@h1.example'])
        cls.russian.opener.addheaders = [('Accept-Language', 'ru')]

    def sql(self, query, *params):
        return self.server.sql(query, *params)

    def bag_messages(self, phones):
        "The text messages about bags (not codes) to the phones"
        return self.sql(
            "SELECT id, phone, state, attempts FROM sms_message "
            "WHERE phone = ANY(%s) AND origin LIKE 'drop.bag,%%' "
            "ORDER BY id", list(phones))

    def test_same_seal_fifty_times(self):
        "50 intakes of one seal written differently at once: one bag"
        self.assertEqual(self.sql(
                "SELECT COUNT(*) FROM drop_bag WHERE seal = %s", SEAL),
            [(0,)], "the seal must be new on this database")
        clerks = [self.english] * 25 + [self.russian] * 25
        numbers = phones(1, 50)
        forms = {}
        together(
            lambda: forms.update(verify(self.english, numbers[:25])),
            lambda: forms.update(verify(self.russian, numbers[25:])))
        self.assertEqual(len(forms), 50)
        wait_queue(self.server)
        size = log_size(self.server)

        answers = together(*(
                functools.partial(clerk.accept, phone, seal, forms[phone])
                for clerk, phone, seal in zip(
                    clerks, numbers, seal_variants(50))))

        statuses = collections.Counter(status for status, _ in answers)
        self.assertEqual(statuses, {200: 1, 400: 49})
        winner, = [i for i, (status, _) in enumerate(answers)
            if status == 200]
        self.assertIn(f'id="done-seal">{SEAL}<', answers[winner][1])
        for clerk, (status, page) in zip(clerks, answers):
            if status == 400:
                language = 'ru' if clerk is self.russian else 'en'
                self.assertIn(USED[language], page)
        self.assertEqual(self.sql(
                "SELECT phone, state FROM drop_bag WHERE seal = %s", SEAL),
            [(numbers[winner], 'accepted')])
        # the refused intakes kept nothing: their codes stay usable, no
        # customer was made for them
        states = self.sql(
            "SELECT phone, state FROM sms_verification "
            "WHERE phone = ANY(%s) AND purpose = 'intake'", numbers)
        self.assertEqual(sorted(states), sorted(
                (p, 'consumed' if p == numbers[winner] else 'verified')
                for p in numbers))
        self.assertEqual(self.sql(
                "SELECT value_compact FROM party_contact_mechanism "
                "WHERE value_compact = ANY(%s)", numbers),
            [(numbers[winner],)])
        self.server.wait_message(numbers[winner])
        wait_queue(self.server)
        self.assertEqual(
            [(p, s, a) for _, p, s, a in self.bag_messages(numbers)],
            [(numbers[winner], 'sent', 1)])
        log = log_since(self.server, size)
        self.assertNotIn('Traceback', log)
        self.assertNotIn('ERROR', log)

    def test_same_request(self):
        """A double tap, then the same request later: one bag, one message,
        the same answer; the request with other content is refused"""
        clerk = self.repeater
        phone, other = phones(101, 2)
        form = verify(clerk, [phone])[phone]
        wait_queue(self.server)
        after = len(self.server.outbox)
        size = log_size(self.server)

        answers = together(
            lambda: clerk.accept(phone, 'DR-100 200', form),
            lambda: clerk.accept(phone, 'dr100200', form))
        answers.append(clerk.accept(phone, 'DR 100 200', form))

        self.assertEqual([status for status, _ in answers], [200] * 3)
        cards = {done_card(page) for _, page in answers}
        self.assertEqual(len(cards), 1, cards)
        self.assertIn('DR100200', cards.pop())
        bags = self.sql(
            "SELECT id, seal, phone, item_count, write_date FROM drop_bag "
            "WHERE request_id = %s", form['request_id'])
        self.assertEqual([b[1:4] for b in bags], [('DR100200', phone, 2)])
        self.server.wait_message(phone, after)
        wait_queue(self.server)
        sent = [m for m in self.server.outbox if m['phone'] == phone]
        # the code, then the bag's message once
        self.assertEqual(len(sent), 2)
        self.assertIn('DR100200', sent[1]['text'])
        self.assertEqual(
            [(i, s, a) for i, _, s, a in self.bag_messages([phone])],
            [(sent[1]['id'], 'sent', 1)])

        # the same request with another seal, or another phone
        refusals = [
            clerk.accept(phone, 'DR100201', form),
            clerk.accept(other, 'DR100200', form),
            ]
        clerk.opener.addheaders = [('Accept-Language', 'ru')]
        try:
            refusals.append(clerk.accept(phone, 'DR100202', form))
        finally:
            clerk.opener.addheaders = [('Accept-Language', 'en')]
        self.assertEqual([status for status, _ in refusals], [400] * 3)
        for (_, page), language in zip(refusals, ['en', 'en', 'ru']):
            self.assertIn(REUSED[language], page)
        self.assertEqual(self.sql(
                "SELECT id, seal, phone, item_count, write_date FROM drop_bag "
                "WHERE request_id = %s OR seal LIKE 'DR10020%%'",
                form['request_id']), bags)
        wait_queue(self.server)
        self.assertEqual(
            [m for m in self.server.outbox if m['phone'] in {phone, other}],
            sent)
        log = log_since(self.server, size)
        self.assertNotIn('Traceback', log)
        self.assertNotIn('ERROR', log)


class SerializationFailureTestCase(unittest.TestCase):
    """An intake whose transaction fails to serialize, forced for real in
    PostgreSQL: on the server that logs trytond's retries"""

    @classmethod
    def setUpClass(cls):
        cls.server = faults_server()
        cls.clerk, = add_clerks(cls.server, ['retry@h1.example'])

    def sql(self, query, *params):
        return self.server.sql(query, *params)

    def blocked(self, blocker, timeout=30):
        """The server's backends waiting for a lock that the blocker's
        connection holds, and their statement"""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = self.sql(
                "SELECT pid, query FROM pg_stat_activity "
                "WHERE datname = %s AND wait_event_type = 'Lock' "
                "AND %s = ANY(pg_blocking_pids(pid))",
                self.server.database, blocker)
            if waiting:
                return waiting
            time.sleep(0.05)
        raise AssertionError(f"no request waited for the lock in {timeout} s")

    def test_retried(self):
        """The intake's update of its verification fails to serialize: the
        request is retried and makes one bag and one message"""
        phone, = phones(201, 1)
        start = len(self.server.outbox)
        form = verify(self.clerk, [phone])[phone]
        verification = int(form['verification'])
        size = log_size(self.server)
        answers = []

        # the test's transaction changes the verification's row (a harmless
        # update) and keeps it locked: the intake's UPDATE of the same row,
        # to consume it, waits; once the test commits, PostgreSQL refuses
        # the intake's REPEATABLE READ transaction with "could not serialize
        # access due to concurrent update" and trytond starts it again
        with psycopg.connect(
                self.server.uri, dbname=self.server.database) as blocker:
            blocker.execute(
                "SELECT id FROM sms_verification WHERE id = %s FOR UPDATE",
                (verification,))
            blocker.execute(
                "UPDATE sms_verification SET attempts = attempts "
                "WHERE id = %s", (verification,))
            intake = threading.Thread(target=lambda: answers.append(
                    self.clerk.accept(phone, 'SF-300 400', form)))
            intake.start()
            try:
                (_, query), = self.blocked(blocker.info.backend_pid)
                self.assertRegex(query, r'^UPDATE "sms_verification"')
                # nothing of the intake is seen while it waits
                self.assertEqual(self.sql(
                        "SELECT COUNT(*) FROM drop_bag WHERE seal = %s",
                        'SF300400'), [(0,)])
                self.assertEqual(self.sql(
                        "SELECT origin FROM sms_message WHERE phone = %s",
                        phone), [(f'sms.verification,{verification}',)])
                self.assertEqual(
                    [m['phone'] for m in self.server.outbox[start:]],
                    [phone])
            finally:
                blocker.commit()
                intake.join(timeout=60)

        (status, page), = answers
        self.assertEqual(status, 200, page)
        self.assertIn('id="done-seal">SF300400<', page)
        log = log_since(self.server, size)
        self.assertEqual(log.count('Retry: 1'), 1, log)
        self.assertNotIn('Retry: 2', log)
        self.assertNotIn('Traceback', log)
        (bag, state), = self.sql(
            "SELECT id, state FROM drop_bag WHERE seal = 'SF300400'")
        self.assertEqual(state, 'accepted')
        self.assertEqual(self.sql(
                "SELECT state FROM sms_verification WHERE id = %s",
                verification), [('consumed',)])
        self.server.wait_message(phone, after=start + 1)
        wait_queue(self.server)
        self.assertEqual(self.sql(
                "SELECT origin, state, attempts FROM sms_message "
                "WHERE phone = %s ORDER BY id", phone), [
                (f'sms.verification,{verification}', 'sent', 1),
                (f'drop.bag,{bag}', 'sent', 1)])
        sent = self.server.outbox[start:]
        self.assertEqual([m['phone'] for m in sent], [phone] * 2)
        self.assertIn('SF300400', sent[1]['text'])
