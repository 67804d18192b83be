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
from trytond.pool import Pool
from trytond.transaction import Transaction

from trytond.modules.drop_point import demo

SIZES = [10, 100, 1000]


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


def figures(server, rpc, baseline):
    """Print one row per act size: seconds of each step, milliseconds per
    bag, and the per-bag time against the 10-bag act's"""
    config.update_etc(str(server.config))
    courier_id, van = courier(rpc)
    print()
    print(f"handover acts through JSON-RPC (database {server.database}, "
        f"back-office user; bags accepted beforehand)")
    print(f"{'bags':>6} {'create s':>9} {'hand over s':>12} "
        f"{'confirm s':>10} {'ms/bag':>8} {'x 10-bag':>9} {'x baseline':>10}")
    first = None
    for size in SIZES:
        bags, point = accepted_bags(
            server.database, size, f'HB{size:04d}')
        times = act(rpc, bags, point, van, courier_id)
        per_bag = sum(times) / size
        first = first or per_bag
        print(f"{size:>6} {times[0]:>9.2f} {times[1]:>12.2f} "
            f"{times[2]:>10.2f} {per_bag * 1000:>8.2f} "
            f"{per_bag / first:>9.2f} {per_bag / baseline:>10.2f}")
