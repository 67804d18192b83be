# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Demo data: the courier (with a phone, for codes at the clerk's device)
took two bags of PVZ-01 (an act done) and holds them; one bag of ATL-02 is
on a draft act.  Loaded by bin/load-demo."""
from trytond.modules.drop_point import demo

COURIER_PHONE = '+79160000001'


def setup(config):
    "Load the demo acts, in the database of the proteus config"
    with demo.transaction(config) as pool:
        _acts(pool)
    return {}


def _acts(pool):
    Bag = pool.get('drop.bag')
    Handover = pool.get('drop.handover')
    Point = pool.get('drop.point')
    WebUser = pool.get('web.user')
    ContactMechanism = pool.get('party.contact_mechanism')
    courier, = WebUser.search([('courier', '=', True)], limit=1)
    ContactMechanism(
        party=courier.party, type='mobile', value=COURIER_PHONE).save()
    van, = WebUser.custody_locations([courier])
    for code, seals, send in [
            ('PVZ-01', ['PL100201', 'PL100202'], True),
            ('ATL-02', ['PL200101'], False),
            ]:
        point, = Point.search([('code', '=', code)])
        bags = Bag.search([('seal', 'in', seals)])
        act = Handover(
            from_location=point.location.storage_location,
            to_location=van, drop_point=point, courier=courier,
            lines=[{'bag': b.id} for b in bags])
        act.save()
        if send:
            Handover.send([act])
            Handover.confirm([act])
