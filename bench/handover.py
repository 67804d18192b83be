# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Handover acts of 10, 100 and 1,000 bags, through the back office's
JSON-RPC as the web client does it: create the act with its lines, "Hand
Over" (the bags move to the courier), "Confirm Receipt".  The time per bag
must stay flat as the act grows: no work per bag that grows with the act.

The bags are made beforehand, accepted at a point, directly in the database
(the portal's intake is measured by its own figures)."""
import time

from trytond.config import config
from trytond.modules.drop_point import demo
from trytond.pool import Pool
from trytond.transaction import Transaction

from .clients import RPC, summary
from .intake import baseline, settle

SIZES = [10, 100, 1000]
# acts of each size measured: their median is the row's
REPEAT = {10: 5, 100: 3, 1000: 1}


def accepted_bags(database, count, prefix):
    "Accept count bags at the first demo point; return their ids"
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, context={}) as transaction:
        Bag = pool.get('drop.bag')
        Point = pool.get('drop.point')
        WebUser = pool.get('web.user')
        point, = Point.search([('code', '=', demo.POINTS[0][0])])
        clerk, = WebUser.search([('email', '=', demo.POINTS[0][-1])])
        with transaction.set_context(company=point.company.id):
            customer = Bag.customer_for('+79170000000')
            bags = Bag.create([{
                        'company': point.company.id,
                        'drop_point': point.id, 'clerk': clerk.id,
                        'seal': f'{prefix}{i:06d}', 'phone': '+79170000000',
                        'customer': customer.id, 'item_count': 2,
                        } for i in range(count)])
            Bag.accept(Bag.browse(bags))
        transaction.commit()
        return [b.id for b in bags], point.location.storage_location.id


def courier(rpc):
    "The demo courier's id and custody location"
    user, = rpc.call('model.web.user.search_read', [
            [('courier', '=', True)], 0, 1, None,
            ['id', 'custody_location'], {}])
    return user['id'], user['custody_location']


def act(rpc, bags, from_location, to_location, courier_id):
    "Create, hand over and confirm one act; return the seconds of each"
    # the web client's context: the user's preferences, the company
    context = rpc.call('model.res.user.get_preferences', [True, {}])
    times = []
    started = time.perf_counter()
    act_id, = rpc.call('model.drop.handover.create', [[{
                    'direction': 'to_factory',
                    'from_location': from_location,
                    'to_location': to_location, 'courier': courier_id,
                    'lines': [['create', [{'bag': b} for b in bags]]],
                    }], context])
    times.append(time.perf_counter() - started)
    for button in ['send', 'confirm']:
        started = time.perf_counter()
        rpc.call(f'model.drop.handover.{button}', [[act_id], context])
        times.append(time.perf_counter() - started)
    state, = rpc.call('model.drop.handover.read', [
            [act_id], ['state', 'bag_count'], context])
    assert (state['state'], state['bag_count']) == ('done', len(bags)), state
    return times


def figures(server, table, requests, database='demo'):
    """One row per act size (the median of REPEAT acts): the whole act's
    seconds, and its time per bag against the baseline; then the goal:
    the 1,000-bag act's time per bag against the 10-bag act's"""
    config.update_etc(str(server.config))
    rpc = RPC(server)
    courier_id, van = courier(rpc)
    base = baseline(server, table, database, 1, requests, rpc)
    rows = {}
    for size in SIZES:
        acts = []
        for repeat in range(REPEAT[size]):
            bags, point = accepted_bags(
                server.database, size, f'H{size:04d}{repeat}')
            settle(server)
            acts.append(sum(act(rpc, bags, point, van, courier_id)))
        result = summary(acts)
        per_bag = dict(result, median=result['median'] / size, p95=None,
            count=len(acts) * size)
        rows[size] = table.add(
            f'handover act of {size:,} bags, per bag', database, 1,
            per_bag, base)
    table.goal(f'handover per bag, {SIZES[-1]:,} bags',
        f'x the {SIZES[0]}-bag act', rows[SIZES[-1]].result['median']
        / rows[SIZES[0]].result['median'], 1.5)
