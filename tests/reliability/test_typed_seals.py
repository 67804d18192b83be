# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Issue 16, defect 2: custody taken by typing a seal.  The taker of an act
types the seals of bags that came without being on it; only a bag the
act's giver holds moves to the taker.  A bag in processing at the factory or
waiting at another point, typed by a courier confirming a point's act, keeps
its state and its custodian, and the act records its seal as not held by the
giver.  Nor can a clerk or a courier hand over a bag they do not hold by
putting its id or seal in the form."""
import unittest
import uuid

from trytond.modules.drop_point import demo

from ..test_intake_concurrency import Clerk
from .production import production_server
from .tools import RPC

GIVER, OTHER = demo.POINTS[0], demo.POINTS[1]

# bags of the test's own, accepted at the giver's point and at another
# point, one of the other's received and in processing at the factory; an
# act of the giver's first bag handed over by its clerk to the courier
PREPARE = '''
Bag = pool.get('drop.bag')
Handover = pool.get('drop.handover')
Point = pool.get('drop.point')
WebUser = pool.get('web.user')
giver, = Point.search([('code', '=', giver_code)])
other, = Point.search([('code', '=', other_code)])
courier, = WebUser.search([('email', '=', courier_email)])


def accept(point, seals):
    customer = Bag.customer_for('+79170000016')
    bags = Bag.create([{
                'company': point.company.id, 'drop_point': point.id,
                'clerk': point.staff[0].web_user.id, 'seal': seal,
                'phone': '+79170000016', 'customer': customer.id,
                'item_count': 1,
                } for seal in seals])
    Bag.accept(bags)
    return bags


with transaction.set_context(company=giver.company.id):
    listed, forgotten = accept(giver, [prefix + 'L', prefix + 'F'])
    waiting, processing = accept(other, [prefix + 'W', prefix + 'P'])
    Bag.receive_checked(processing, True, 1)
    Bag.process([processing])
    van, = WebUser.custody_locations([courier])
    with transaction.set_context(web_user=giver.staff[0].web_user.id):
        act = Handover.hand_over(
            giver.location.storage_location, van, [listed], 'to_factory',
            drop_point=giver, courier=courier)
result = {
    'act': act.id, 'van': van.id,
    'giver': giver.id, 'giver_location': giver.location.storage_location.id,
    'other': other.id, 'other_location': other.location.storage_location.id,
    'factory': other.warehouse.storage_location.id,
    'warehouse': other.warehouse.id,
    'bags': {b.seal[len(prefix):]: b.id
        for b in [listed, forgotten, waiting, processing]},
    }
'''


class TypedSealsTestCase(unittest.TestCase):
    "On the suite's production-like server, through the portal"

    @classmethod
    def setUpClass(cls):
        cls.server = production_server()

    def prepare(self):
        "A new act of the giver's point to the courier, and the other bags"
        self.prefix = 'TS' + uuid.uuid4().hex[:6].upper()
        return self.server.script(
            PREPARE, prefix=self.prefix, giver_code=GIVER[0],
            other_code=OTHER[0], courier_email=demo.COURIER)

    def seal(self, key):
        return self.prefix + key

    def bags(self, ids):
        """Each bag's state, custodian (its lot's last done move) and count
        of done moves, by id"""
        rows = self.server.sql(
            "SELECT b.id, b.state, ("
            "SELECT m.to_location FROM stock_move m WHERE m.lot = b.lot "
            "AND m.state = 'done' ORDER BY m.effective_date DESC, m.id DESC "
            "LIMIT 1), (SELECT COUNT(*) FROM stock_move m "
            "WHERE m.lot = b.lot AND m.state = 'done') "
            "FROM drop_bag b WHERE b.id = ANY(%s)", list(ids))
        return {i: (s, c, n) for i, s, c, n in rows}

    def lines(self, act):
        "The act's lines: seal, outcome, bag"
        return set(self.server.sql(
                "SELECT seal, outcome, bag FROM drop_handover_line "
                "WHERE handover = %s", act))

    def test_typed_seals_take_only_the_givers_bags(self):
        """The courier confirming the point's act types the seal of a bag in
        processing at the factory, of a bag waiting at another point and of
        a bag the point holds but forgot to put on the act: only the last
        moves to him; the others keep their state and custodian, the other
        point still lists its bag, the act records both seals"""
        prepared = self.prepare()
        act, bags = prepared['act'], prepared['bags']
        before = self.bags(bags.values())
        courier = Clerk(self.server, demo.COURIER)

        status, page = courier.post(
            f'/acts/{act}/take', present=[bags['L']],
            extra=[self.seal('P'), self.seal('W'), self.seal('F')])

        self.assertEqual(status, 200, page)
        after = self.bags(bags.values())
        # the factory's and the other point's bags did not move
        self.assertEqual(
            after[bags['P']], ('processing', prepared['factory'], 2))
        self.assertEqual(after[bags['P']], before[bags['P']])
        self.assertEqual(
            after[bags['W']], ('accepted', prepared['other_location'], 1))
        self.assertEqual(after[bags['W']], before[bags['W']])
        # the bag the point held came with the courier, as before
        self.assertEqual(
            after[bags['F']], ('in_transit', prepared['van'], 2))
        self.assertEqual(after[bags['L']][:2], ('in_transit', prepared['van']))
        self.assertEqual(self.lines(act), {
                (self.seal('L'), None, bags['L']),
                (self.seal('F'), 'extra', bags['F']),
                (self.seal('P'), 'not_held', None),
                (self.seal('W'), 'not_held', None),
                })
        (state,), = self.server.sql(
            "SELECT state FROM drop_handover WHERE id = %s", act)
        self.assertEqual(state, 'done')
        # the act's page says so, the other point still lists its bag
        for seal in [self.seal('P'), self.seal('W')]:
            self.assertIn(f'<strong>{seal}</strong>: Typed at the taking '
                'over of act', page)
        self.assertIn('not held by', page)
        clerk = Clerk(self.server, OTHER[-1])
        waiting = clerk.get(f'/point/{prepared["other"]}/handover')
        self.assertIn(self.seal('W'), waiting)
        # the back office sees three discrepancies on the act
        rpc = RPC(self.server, demo.BACK_OFFICE, demo.PASSWORD)
        (read,) = rpc.call('model.drop.handover.read', [
                [act], ['discrepancy_count', 'bag_count'], rpc.context])
        self.assertEqual(
            (read['discrepancy_count'], read['bag_count']), (3, 1))

    def test_unknown_seal_recorded(self):
        """A seal no bag has is recorded on the act as not held by the
        giver; a text that is no seal is refused, naming the seal, and
        changes nothing"""
        prepared = self.prepare()
        act, bags = prepared['act'], prepared['bags']
        courier = Clerk(self.server, demo.COURIER)

        status, page = courier.post(
            f'/acts/{act}/take', present=[bags['L']], extra=['NO-SEAL!'])
        self.assertEqual(status, 400, page)
        self.assertIn('The seal &#34;NOSEAL!&#34; is not valid', page)
        self.assertEqual(self.lines(act), {(self.seal('L'), None, bags['L'])})

        unknown = self.seal('X')
        status, page = courier.post(
            f'/acts/{act}/take', present=[bags['L']], extra=[unknown])
        self.assertEqual(status, 200, page)
        self.assertEqual(self.lines(act), {
                (self.seal('L'), None, bags['L']),
                (unknown, 'not_held', None),
                })
        self.assertIn(f'<strong>{unknown}</strong>: Typed at the taking', page)
        # a repeated submit finds the act done
        status, page = courier.post(
            f'/acts/{act}/take', present=[bags['L']], extra=[unknown])
        self.assertEqual(status, 200, page)
        self.assertEqual(len(self.lines(act)), 2)

    def test_hand_over_only_bags_held(self):
        """The clerk's hand over and the courier's delivery take only bags
        they hold: another point's bag, by id or by seal, is refused and
        stays where it is"""
        prepared = self.prepare()
        bags = prepared['bags']
        before = self.bags(bags.values())
        (courier_id,), = self.server.sql(
            "SELECT id FROM web_user WHERE email = %s", demo.COURIER)
        clerk = Clerk(self.server, GIVER[-1])
        path = f'/point/{prepared["giver"]}/handover'
        for form in [{'bag': [bags['W']]}, {'seal': [self.seal('W')]},
                {'bag': [bags['P']]}, {'seal': [self.seal('P')]}]:
            with self.subTest(form=form):
                status, page = clerk.post(
                    path, courier=str(courier_id),
                    request_id=uuid.uuid4().hex, **form)
                self.assertEqual(status, 400, page)
        courier = Clerk(self.server, demo.COURIER)
        for destination in [f'point-{prepared["other"]}',
                f'factory-{prepared["warehouse"]}']:
            with self.subTest(destination=destination):
                status, page = courier.post(
                    '/courier/deliver', destination=destination,
                    bag=[bags['W'], bags['P'], bags['F']],
                    request_id=uuid.uuid4().hex)
                self.assertEqual(status, 400, page)
        self.assertEqual(self.bags(bags.values()), before)
