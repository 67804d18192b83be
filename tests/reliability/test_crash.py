# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The server killed (SIGKILL) in the middle of confirming a 1,000-bag
handover act: after the restart the act is done or untouched, each bag has
one custodian, and confirming again does it once.

Custody is Tryton's stock: a bag is a lot, each change of hands a done move,
so a bag's custodian is the one location where its lot's quantity is
positive."""
import collections
import threading
import time
import unittest

import psycopg

from trytond.modules.drop_point import demo

from ..test_intake_concurrency import Clerk
from .tools import RPC, faults_server

BAGS = 1000
MISSING = 100

# 1,000 bags accepted at the first point (lots at the point), as the bench
# makes them, and their act to the courier in draft: by batch creates, not by
# 1,000 intakes
PREPARE = '''
Bag = pool.get('drop.bag')
Handover = pool.get('drop.handover')
Point = pool.get('drop.point')
WebUser = pool.get('web.user')
point, = Point.search([('code', '=', point_code)])
clerk, = WebUser.search([('email', '=', clerk_email)])
courier, = WebUser.search([('email', '=', courier_email)])
with transaction.set_context(company=point.company.id):
    customer = Bag.customer_for('+79170000001')
    bags = Bag.create([{
                'company': point.company.id, 'drop_point': point.id,
                'clerk': clerk.id, 'seal': f'{prefix}{i:06d}',
                'phone': '+79170000001', 'customer': customer.id,
                'item_count': 1,
                } for i in range(count)])
    Bag.accept(bags)
    van, = WebUser.custody_locations([courier])
    act, = Handover.create([{
                'direction': 'to_factory',
                'from_location': point.location.storage_location.id,
                'to_location': van.id, 'drop_point': point.id,
                'courier': courier.id,
                'lines': [('create', [{'bag': b.id} for b in bags])],
                }])
result = {
    'act': act.id, 'point': point.location.storage_location.id,
    'courier': van.id}
'''


class CrashTestCase(unittest.TestCase):
    "On the faults server, killed and restarted"

    @classmethod
    def setUpClass(cls):
        cls.server = faults_server()
        cls.prepared = cls.server.script(
            PREPARE, count=BAGS, prefix='CR', point_code=demo.POINTS[0][0],
            clerk_email=demo.POINTS[0][-1], courier_email=demo.COURIER)

    def sql(self, query, *params):
        return self.server.sql(query, *params)

    def lines(self, act):
        "The act's lines: bag, lot, move, outcome, open"
        return self.sql(
            "SELECT l.id, b.id, b.lot, l.move, l.outcome, l.open "
            "FROM drop_handover_line l JOIN drop_bag b ON b.id = l.bag "
            "WHERE l.handover = %s ORDER BY l.id", act)

    def custodians(self, lots):
        """Each lot's one location of positive quantity, from the done
        moves; fails if a lot has none, or more than one"""
        rows = self.sql(
            "SELECT lot, location, SUM(quantity) FROM ("
            "SELECT lot, to_location AS location, quantity FROM stock_move "
            "WHERE state = 'done' AND lot = ANY(%s) "
            "UNION ALL SELECT lot, from_location, -quantity FROM stock_move "
            "WHERE state = 'done' AND lot = ANY(%s)) AS flow "
            "GROUP BY lot, location HAVING SUM(quantity) > 0", lots, lots)
        held = collections.defaultdict(list)
        for lot, location, quantity in rows:
            held[lot].append((location, quantity))
        self.assertEqual(
            [lot for lot in lots if len(held[lot]) != 1], [],
            "lots without a custodian, or with more than one")
        self.assertEqual({q for (_, q), in held.values()}, {1})
        (pending,), = self.sql(
            "SELECT COUNT(*) FROM stock_move WHERE lot = ANY(%s) "
            "AND state != 'done'", lots)
        self.assertEqual(pending, 0)
        return {lot: location for lot, ((location, _),) in held.items()}

    def line_moves(self, act):
        "The done moves of the act's lines: lot, from, to"
        return self.sql(
            "SELECT m.lot, m.from_location, m.to_location FROM stock_move m "
            "JOIN drop_handover_line l "
            "ON m.origin = 'drop.handover.line,' || l.id "
            "WHERE l.handover = %s AND m.state = 'done' ORDER BY m.id", act)

    def act_state(self, act):
        (state,), = self.sql(
            "SELECT state FROM drop_handover WHERE id = %s", act)
        return state

    def kill_when_writing(self, call, table):
        """Run the call in a thread; SIGKILL the server (its gunicorn
        workers and its queue worker) once a backend's transaction has
        written and is working on the table, before it commits"""
        errors = []

        def run():
            try:
                call()
            except Exception as error:  # the connection dies with it
                errors.append(error)
        thread = threading.Thread(target=run)
        writing = []
        with psycopg.connect(
                self.server.uri, dbname=self.server.database,
                autocommit=True) as watch:
            thread.start()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and thread.is_alive():
                writing = watch.execute(
                    "SELECT pid, query FROM pg_stat_activity "
                    "WHERE datname = %s AND backend_xid IS NOT NULL "
                    "AND pid != pg_backend_pid() AND query LIKE %s",
                    (self.server.database, f'%"{table}"%')).fetchall()
                if writing:
                    self.server.kill()
                    break
                time.sleep(0.02)
            thread.join(timeout=60)
            self.assertTrue(writing, "the request ended before it was seen "
                f"writing to {table}: {errors}")
            self.assertTrue(errors, "the killed request answered")
            # the killed workers' backends end their transactions
            while watch.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND backend_xid IS NOT NULL "
                    "AND pid != pg_backend_pid()",
                    (self.server.database,)).fetchone()[0]:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.1)
        self.server.restart()

    def test_killed_confirming(self):
        """A 1,000-bag act: its "Hand Over" in the back office killed, then
        the courier's confirmation in the portal killed; each time the act is
        done or untouched, each bag has one custodian, and confirming again
        after the restart does it once"""
        self.hand_over()
        self.take_over()

    def hand_over(self):
        """The back office's "Hand Over" killed: the act is handed over or
        still a draft, each bag at the point or with the courier; handed
        over again, each bag moves once"""
        act, point, courier = (self.prepared[k]
            for k in ['act', 'point', 'courier'])
        rpc = RPC(self.server, demo.BACK_OFFICE, demo.PASSWORD)
        lots = [lot for _, _, lot, *_ in self.lines(act)]
        self.assertEqual(len(lots), BAGS)
        self.assertEqual(set(self.custodians(lots).values()), {point})

        self.kill_when_writing(
            lambda: rpc.button('drop.handover', 'send', [act]), 'stock_move')

        state = self.act_state(act)
        self.assertIn(state, {'draft', 'sent'})
        holder = point if state == 'draft' else courier
        self.assertEqual(
            set(self.custodians(lots).values()), {holder}, state)
        moves = self.line_moves(act)
        if state == 'draft':
            self.assertEqual(moves, [])
            self.assertEqual(
                {m for _, _, _, m, _, _ in self.lines(act)}, {None})
        else:
            self.assertEqual(len(moves), BAGS)

        rpc = RPC(self.server, demo.BACK_OFFICE, demo.PASSWORD)
        rpc.button('drop.handover', 'send', [act])
        self.assertEqual(self.act_state(act), 'sent')
        self.assertEqual(set(self.custodians(lots).values()), {courier})
        self.assertEqual(sorted(self.line_moves(act)), sorted(
                (lot, point, courier) for lot in lots))
        self.assertNotIn(None, {m for _, _, _, m, _, _ in self.lines(act)})
        (number, bags), = self.sql(
            "SELECT h.number, COUNT(DISTINCT b.id) FROM drop_handover h "
            "JOIN drop_handover_line l ON l.handover = h.id "
            "JOIN drop_bag b ON b.id = l.bag AND b.state = 'in_transit' "
            "WHERE h.id = %s GROUP BY h.number", act)
        self.assertTrue(number)
        self.assertEqual(bags, BAGS)

    def take_over(self):
        """The courier's confirmation in the portal, 100 bags not ticked,
        killed: the act is done (the 100 back at the point) or still handed
        over (all with the courier); confirmed again, the 100 move back
        once"""
        act, point, courier = (self.prepared[k]
            for k in ['act', 'point', 'courier'])
        lines = self.lines(act)
        lots = [lot for _, _, lot, *_ in lines]
        present = [bag for _, bag, *_ in lines[MISSING:]]
        missing = {lot for _, _, lot, *_ in lines[:MISSING]}
        taker = Clerk(self.server, demo.COURIER)

        def take():
            status, page = taker.post(f'/acts/{act}/take', present=present)
            assert status == 200, (status, page)

        self.kill_when_writing(take, 'stock_move')

        state = self.act_state(act)
        self.assertIn(state, {'sent', 'done'})
        held = self.custodians(lots)
        outcomes = collections.Counter(o for *_, o, _ in self.lines(act))
        if state == 'sent':
            self.assertEqual(set(held.values()), {courier})
            self.assertEqual(outcomes, {None: BAGS})
        else:
            self.assertEqual(
                {lot for lot, location in held.items() if location == point},
                missing)
            self.assertEqual(outcomes, {None: BAGS - MISSING,
                    'missing': MISSING})

        taker = Clerk(self.server, demo.COURIER)
        take()
        self.assertEqual(self.act_state(act), 'done')
        held = self.custodians(lots)
        self.assertEqual(
            {lot for lot, location in held.items() if location == point},
            missing)
        self.assertEqual(
            {lot for lot, location in held.items() if location == courier},
            set(lots) - missing)
        lines = self.lines(act)
        self.assertEqual(collections.Counter(o for *_, o, _ in lines),
            {None: BAGS - MISSING, 'missing': MISSING})
        self.assertEqual({o for *_, o in lines}, {False})
        # one move back per missing bag, one discrepancy each
        (back, lots_back), = self.sql(
            "SELECT COUNT(*), COUNT(DISTINCT lot) FROM stock_move "
            "WHERE lot = ANY(%s) AND from_location = %s "
            "AND to_location = %s", lots, courier, point)
        self.assertEqual((back, lots_back), (MISSING, MISSING))
        self.assertEqual(self.sql(
                "SELECT COUNT(*) FROM drop_bag_discrepancy d "
                "JOIN drop_handover_line l ON d.handover_line = l.id "
                "WHERE l.handover = %s", act), [(MISSING,)])
