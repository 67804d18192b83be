# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The customer's side: the receipt page behind the link (the demo's order
at the factory, PL300103: the document rendered, its lines, totals in words),
and the sandbox gateway's signed notice that a payment succeeded (found,
locked, succeeded, its clearing move made), then the same notice again (it
changes nothing).

The payments are made beforehand, processing, directly in the database."""
import json
import secrets
import time
import urllib.request

from trytond.config import config
from trytond.pool import Pool
from trytond.transaction import Transaction

from .clients import measure
from .intake import baseline, settle

SEAL = 'PL300103'
PAGE_CLIENTS = [1, 32]


def link(database):
    "A new link to the demo order's receipt; return its token"
    from trytond.modules.drop_bag.bag import token_hash
    token = secrets.token_urlsafe(24)
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0) as transaction:
        Bag = pool.get('drop.bag')
        bag, = Bag.search([('seal', '=', SEAL)])
        Bag.write([bag], {'receipt_token_hash': token_hash(token)})
        transaction.commit()
    return token


def payments(database, count):
    "count sandbox payments of the order's customer, waiting for the gateway"
    pool = Pool(database)
    with Transaction().start(database, 0) as transaction:
        Bag = pool.get('drop.bag')
        Configuration = pool.get('drop.receipt.configuration')
        Payment = pool.get('account.payment')
        bag, = Bag.search([('seal', '=', SEAL)])
        journal = Configuration(1).online_journal
        salt = secrets.token_hex(4)
        with transaction.set_context(company=bag.company.id):
            records = Payment.create([{
                        'company': bag.company.id, 'journal': journal.id,
                        'kind': 'receivable', 'party': bag.customer.id,
                        'amount': 1,
                        'drop_bag': bag.id,
                        'gateway_reference': f'bench-{i}-{salt}',
                        } for i in range(count)])
            Payment.submit(records)
            Payment.process(records)
            result = [(p.gateway_reference, str(p.amount), p.currency.code)
                for p in records]
        transaction.commit()
    return result


def notice(server, reference, amount, currency):
    "Send the gateway's signed notice; return the seconds it took"
    from trytond.modules.drop_receipt.payment import sign
    body = json.dumps({
            'reference': reference, 'status': 'succeeded',
            'amount': amount, 'currency': currency}).encode()
    # the key is the database's own, read in a transaction
    with Transaction().start(server.database, 0, readonly=True):
        signed = sign(body)
    request = urllib.request.Request(
        f'{server.url}/{server.database}/sandbox/notice', data=body,
        headers={'X-Sandbox-Signature': signed})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 204, response.status
    return time.perf_counter() - started


def figures(server, table, requests, database='demo'):
    """The receipt page at 1 and 32 clients and the payment notice (new,
    then again) at 1 client, each after the baseline at its concurrency;
    then their goals"""
    config.update_etc(str(server.config))
    token = link(server.database)
    url = f'{server.url}/{server.database}/bag/{token}'

    def page():
        with urllib.request.urlopen(url, timeout=60) as response:
            assert b'id="document"' in response.read()

    rows = {}
    for clients in PAGE_CLIENTS:
        base = baseline(server, table, database, clients, requests)
        settle(server)
        rows[clients] = table.add(
            f'receipt page ({SEAL})', database, clients,
            measure([page] * clients, requests), base)
    table.goal(f'receipt page median, {PAGE_CLIENTS[-1]} clients',
        'x baseline', rows[PAGE_CLIENTS[-1]].ratio('median'), 2)
    waiting = iter(payments(server.database, requests + 1))
    done = []

    def paid():
        reference = next(waiting)
        done.append(reference)
        return notice(server, *reference)
    base = baseline(server, table, database, 1, requests)
    settle(server)
    row = table.add('payment notice (callback)', database, 1,
        measure([paid], requests), base)
    table.goal('payment callback median, 1 client', 'x baseline',
        row.ratio('median'), 3)
    settle(server)
    again = iter(done * 2)
    table.add('payment notice, received again', database, 1, measure(
            [lambda: notice(server, *next(again))], requests), base)
