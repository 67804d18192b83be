# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Demo data: bags waiting at the points, received at the factory, one with a
discrepancy and one cancelled.  Loaded by bin/load-demo."""
import datetime as dt

from trytond.modules.drop_point import demo

# point code, seal, phone, items, hours ago, what happened next
BAGS = [
    ('PVZ-01', 'PL100201', '+79120000101', 3, 30, None),
    ('PVZ-01', 'PL100202', '+79120000102', 1, 5, None),
    ('PVZ-01', 'PL100203', '+79120000103', 2, 1, None),
    ('ATL-02', 'PL200101', '+79120000104', 4, 26, None),
    ('ATL-02', 'PL200102', '+79120000105', 2, 50, 'received'),
    ('CON-03', 'PL300101', '+79120000106', 5, 48, 'discrepancy'),
    ('CON-03', 'PL300102', '+79120000101', 1, 20, 'cancelled'),
    ('CON-03', 'PL300103', '+79120000107', 2, 28, 'received'),
    ]


def setup(config):
    "Load the demo bags, in the database of the proteus config"
    with demo.transaction(config) as pool:
        _bags(pool)
    return {}


def _bags(pool):
    Bag = pool.get('drop.bag')
    Point = pool.get('drop.point')
    now = dt.datetime.now()
    for code, seal, phone, count, hours, then in BAGS:
        point, = Point.search([('code', '=', code)])
        clerk = point.staff[0].web_user if point.staff else None
        bag = Bag(
            company=point.company, drop_point=point, seal=seal, phone=phone,
            customer=Bag.customer_for(phone), item_count=count, clerk=clerk,
            phone_verified_at=now - dt.timedelta(hours=hours))
        bag.save()
        Bag.accept([bag])
        bag.accepted_at = now - dt.timedelta(hours=hours)
        bag.save()
        if then == 'received':
            Bag.receive_checked(bag, True, count)
        elif then == 'discrepancy':
            Bag.receive_checked(
                bag, True, count - 1,
                note="Пять вещей записано, в пакете четыре")
        elif then == 'cancelled':
            bag.cancel_reason = "Клиент забрал вещи до приезда курьера"
            bag.save()
            Bag.cancel([bag])
