# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from unittest.mock import patch

from trytond.model.exceptions import SQLConstraintError
from trytond.modules.company.tests import CompanyTestMixin, create_company
from trytond.pool import Pool
from trytond.res.user import PASSWORD_HASH
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction, check_access

from ..exceptions import PointValidationError


def create_point(code, name, party=None):
    pool = Pool()
    Point = pool.get('drop.point')
    Party = pool.get('party.party')
    Type = pool.get('drop.point.type')
    Location = pool.get('stock.location')
    warehouse, = Location.factories()
    point_type, = Type.search([], limit=1)
    if party is None:
        party = Party(name=f"Partner of {name}")
        party.save()
    point = Point(
        code=code, name=name, party=party, type=point_type,
        warehouse=warehouse)
    point.save()
    return point


class DropPointTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Drop Point module"
    module = 'drop_point'

    @with_transaction()
    def test_point_gets_its_own_warehouse(self):
        "Each new point gets a warehouse named after it"
        company = create_company()
        with Transaction().set_context(company=company.id):
            point = create_point(' ab-1 ', "Tailor on Lenina")
        self.assertEqual(point.code, 'AB-1')
        self.assertEqual(point.location.type, 'warehouse')
        self.assertEqual(point.location.name, "AB-1 Tailor on Lenina")
        self.assertEqual(
            point.location.storage_location.parent, point.location)

        point.name = "Tailor on Mira"
        point.save()
        self.assertEqual(point.location.name, "AB-1 Tailor on Mira")
        self.assertEqual(
            point.location.storage_location.name, "AB-1 Tailor on Mira")

    @with_transaction()
    def test_point_code_unique_per_company(self):
        "Two points of one company cannot share a code"
        company = create_company()
        with Transaction().set_context(company=company.id):
            create_point('P1', "First")
            with self.assertRaises(SQLConstraintError):
                create_point('p1', "Second")

    @with_transaction()
    def test_point_code_format(self):
        "A code with spaces inside or odd signs is refused, naming the code"
        company = create_company()
        with Transaction().set_context(company=company.id):
            with self.assertRaisesRegex(PointValidationError, 'P#1'):
                create_point('P#1', "Bad")

    @with_transaction()
    def test_portal_user_sees_only_its_points(self):
        "Record rules filter points and staff for the portal user"
        pool = Pool()
        Point = pool.get('drop.point')
        Staff = pool.get('drop.point.staff')
        WebUser = pool.get('web.user')
        ModelData = pool.get('ir.model.data')
        company = create_company()
        with Transaction().set_context(company=company.id):
            point_a = create_point('A1', "Point A")
            point_b = create_point('B1', "Point B")
        clerk_a, clerk_b = WebUser.create([
                {'email': 'a@example.com'}, {'email': 'b@example.com'}])
        Staff.create([
                {'point': point_a.id, 'web_user': clerk_a.id},
                {'point': point_b.id, 'web_user': clerk_b.id,
                    'role': 'manager'},
                ])
        portal_user = ModelData.get_id('drop_point', 'user_portal')

        transaction = Transaction()
        with transaction.set_user(portal_user), \
                transaction.set_context(
                    web_user=clerk_a.id, _companies=[company.id]), \
                check_access():
            self.assertEqual(Point.search([]), [point_a])
            self.assertEqual(Point.search([('id', '=', point_b.id)]), [])
            self.assertEqual(
                [s.web_user for s in Staff.search([])], [clerk_a])
        with transaction.set_user(portal_user), \
                transaction.set_context(
                    web_user=None, _companies=[company.id]), \
                check_access():
            self.assertEqual(Point.search([]), [])

    @with_transaction()
    def test_portal_allowed(self):
        "Only point staff and couriers may use the portal"
        pool = Pool()
        WebUser = pool.get('web.user')
        Staff = pool.get('drop.point.staff')
        company = create_company()
        with Transaction().set_context(company=company.id):
            point = create_point('C1', "Concierge")
        customer, courier, clerk = WebUser.create([
                {'email': 'customer@example.com'},
                {'email': 'courier@example.com', 'courier': True},
                {'email': 'clerk@example.com'},
                ])
        Staff.create([{'point': point.id, 'web_user': clerk.id}])
        self.assertEqual(
            [u.portal_allowed for u in [customer, courier, clerk]],
            [False, True, True])

    @with_transaction()
    def test_wrong_login_same_work(self):
        """A wrong password verifies one hash of the same kind and counts an
        attempt, whether the e-mail has an account or not"""
        pool = Pool()
        WebUser = pool.get('web.user')
        Attempt = pool.get('web.user.authenticate.attempt')
        WebUser.create([
                {'email': 'known@example.com', 'password': 'the-password-1'}])
        verify = PASSWORD_HASH.verify_and_update
        work = {}
        for email in ['known@example.com', 'unknown@example.com']:
            hashes = []

            def spy(password, hash_):
                hashes.append(hash_)
                return verify(password, hash_)
            with patch.object(PASSWORD_HASH, 'verify_and_update', spy):
                self.assertIsNone(WebUser.authenticate(email, 'wrong-one-1'))
            # the algorithm and its cost, without the salt and digest
            work[email] = [h.rsplit('$', 2)[0] for h in hashes]
            self.assertEqual(Attempt.count(email), 1)
        self.assertEqual(len(work['known@example.com']), 1)
        self.assertEqual(
            work['unknown@example.com'], work['known@example.com'])


del ModuleTestCase
