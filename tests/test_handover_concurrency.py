# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Two clerks hand the same bag over at the same moment, on PostgreSQL,
through the portal over HTTP: one wins, the other is told why."""
import unittest

from trytond.modules.drop_point import demo

from .server import server
from .test_intake_concurrency import Clerk, together


class HandoverConcurrencyTestCase(unittest.TestCase):

    def test_two_clerks_race_for_one_bag(self):
        "One act takes the bag, the other submit is refused with the reason"
        srv = server()
        first, second = Clerk(srv), Clerk(srv)
        status, page = first.accept(
            '+79125559001', 'RACE0001', first.verified('+79125559001'))
        self.assertEqual(status, 200, page)
        (courier,), = srv.sql(
            "SELECT id FROM web_user WHERE email = %s", demo.COURIER)
        handover = f'/point/{first.point}/handover'
        results = together(*(
                lambda clerk=clerk, n=n: clerk.post(
                    handover, seal='RACE0001', courier=str(courier),
                    request_id=f'race-{n}')
                for n, clerk in enumerate([first, second])))
        statuses = sorted(status for status, _ in results)
        self.assertEqual(statuses, [200, 400], results)
        refused, = [page for status, page in results if status == 400]
        self.assertRegex(
            refused,
            r'RACE0001 is not among|already on (the|another) open act')
        rows = srv.sql(
            "SELECT h.state FROM drop_handover h "
            "JOIN drop_handover_line l ON l.handover = h.id "
            "JOIN drop_bag b ON b.id = l.bag WHERE b.seal = 'RACE0001'")
        self.assertEqual(rows, [('sent',)])
        # one move out of the point: the bag has one custodian
        (moves,), = srv.sql(
            "SELECT count(*) FROM stock_move m JOIN drop_bag b "
            "ON b.lot = m.lot WHERE b.seal = 'RACE0001' "
            "AND m.state = 'done'")
        self.assertEqual(moves, 2)
