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

SEAL = 'PL300103'


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
    request = urllib.request.Request(
        f'{server.url}/{server.database}/sandbox/notice', data=body,
        headers={'X-Sandbox-Signature': sign(body)})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 204, response.status
    return time.perf_counter() - started


def figures(server, measure, requests, baseline):
    """Print the receipt page's and the payment notice's rows against the
    baseline (an action, measured again at each concurrency)"""
    config.update_etc(str(server.config))
    token = link(server.database)
    url = f'{server.url}/{server.database}/bag/{token}'

    def page():
        with urllib.request.urlopen(url, timeout=60) as response:
            assert b'id="document"' in response.read()

    print()
    print(f"the customer's link (database {server.database}, "
        f"order {SEAL}); {requests} requests a row")
    print(f"{'figure':34} {'clients':>7} {'median ms':>10} "
        f"{'p95 ms':>8} {'req/s':>7} {'x baseline':>10}")
    medians = {}
    for clients in [1, 8]:
        medians[clients] = measure(baseline, clients, requests)['median']
        _row('receipt page', clients, measure(lambda: page, clients,
                requests), medians[clients])
    waiting = iter(payments(server.database, requests + 1))
    done = []

    def paid():
        reference = next(waiting)
        done.append(reference)
        return notice(server, *reference)
    _row('payment notice', 1, measure(lambda: paid, 1, requests),
        medians[1])
    again = iter(done * 2)
    _row('payment notice again', 1, measure(
            lambda: lambda: notice(server, *next(again)), 1, requests),
        medians[1])


def _row(name, clients, result, baseline):
    print(f"{name:34} {clients:>7} {result['median'] * 1000:>10.1f} "
        f"{result['p95'] * 1000:>8.1f} {result['throughput']:>7.1f} "
        f"{result['median'] / baseline:>10.2f}")
