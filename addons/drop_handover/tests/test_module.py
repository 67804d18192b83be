# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import CompanyTestMixin, set_company
from trytond.modules.drop_bag.exceptions import SealError
from trytond.modules.drop_bag.tests import test_module as bag_tests
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import HandoverError


class HandoverTestMixin(bag_tests.IntakeTestMixin):
    "Bags at a point, a courier and acts; for the module's other tests"

    def bags(self, point, clerk, count):
        return [self.intake(
                point, clerk, seal=f'SEAL{i:04d}', count=i + 1,
                verification=bag_tests.verified())[0]
            for i in range(count)]

    def courier(self, email='courier@example.com'):
        WebUser = Pool().get('web.user')
        courier = WebUser(email=email, courier=True)
        courier.save()
        location, = WebUser.custody_locations([courier])
        return courier, location

    def back_office(self, company):
        "A back-office user of the group Drop Points, working for the company"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        user = User(
            login='dispatcher', name="Dispatcher",
            groups=[ModelData.get_id('drop_point', 'group_drop_point')],
            companies=[company], company=company)
        user.save()
        return user

    def act(self, point, to, bags, **values):
        Handover = Pool().get('drop.handover')
        act = Handover(
            from_location=point.location.storage_location, to_location=to,
            drop_point=point, lines=[{'bag': b.id} for b in bags], **values)
        act.save()
        return act


class DropHandoverTestCase(
        HandoverTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test Drop Handover module"
    module = 'drop_handover'

    @with_transaction()
    def test_intake_takes_custody(self):
        "An accepted bag is a lot held by its point"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, = self.bags(point, clerk, 1)
        self.assertEqual(bag.lot.number, 'SEAL0000')
        self.assertEqual(bag.custodian, point.location.storage_location)
        self.assertEqual(
            Bag.search([('custodian', '=', bag.custodian.id)]), [bag])

    @with_transaction()
    def test_hand_over_to_courier(self):
        "The clerk hands the bags over, the courier confirms"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Handover = pool.get('drop.handover')
        Location = pool.get('stock.location')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bags = self.bags(point, clerk, 3)
            courier, van = self.courier()
            act = self.act(point, van, bags, courier=courier)
            with Transaction().set_context(web_user=clerk.id):
                Handover.send([act])
            self.assertEqual(act.state, 'sent')
            self.assertTrue(act.number)
            self.assertIn('clerk@example.com', act.sent_by)
            self.assertEqual((act.bag_count, act.item_count), (3, 6))
            self.assertEqual(
                [b.state for b in Bag.browse(bags)], ['in_transit'] * 3)
            self.assertEqual(
                {b.custodian for b in Bag.browse(bags)}, {van})
            with Transaction().set_context(web_user=courier.id):
                Handover.confirm([act])
            self.assertEqual(act.state, 'done')
            # the stock answers how many bags each holds
            with Transaction().set_context(
                    locations=[van.id], with_childs=False):
                lots = pool.get('stock.lot').search(
                    [('id', 'in', [b.lot.id for b in bags])])
                self.assertEqual(
                    [lot.quantity for lot in lots], [1, 1, 1])
            self.assertEqual(
                [m.to_location for m in Bag(bags[0].id).custody],
                [point.location.storage_location, van])
            self.assertEqual(
                Location(van.id).rec_name, 'Courier courier@example.com')
            line, = pool.get('drop.bag.transit').search([])
            self.assertEqual(
                (line.courier, line.location, line.bags, line.items),
                (courier, van, 3, 6))

    @with_transaction()
    def test_reception_takes_custody(self):
        "The factory's reception check makes the factory the custodian"
        Bag = Pool().get('drop.bag')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, = self.bags(point, clerk, 1)
            Bag.receive_checked(bag, True, 1)
        self.assertEqual(bag.custodian, point.warehouse.storage_location)
        self.assertEqual(len(bag.custody), 2)

    @with_transaction()
    def test_cancel_from_the_back_office(self):
        """The back office cancels bags at the point, on their way and at the
        factory: each leaves our custody for its customer, who is told why"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Handover = pool.get('drop.handover')
        Message = pool.get('sms.message')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bags, tokens = zip(*(self.intake(
                        point, clerk, seal=seal, count=1,
                        verification=bag_tests.verified())
                    for seal in ['ATPOINT1', 'ONTHEWAY', 'FACTORY1']))
            at_point, on_the_way, at_factory = bags
            courier, van = self.courier()
            Handover.send(
                [self.act(point, van, [on_the_way], courier=courier)])
            Bag.receive_checked(at_factory, True, 1)
            self.assertEqual(
                [b.state for b in Bag.browse(bags)],
                ['accepted', 'in_transit', 'received'])
            for bag in bags:
                bag.cancel_reason = f"Items of {bag.seal} taken back"
            Bag.save(bags)
            user = self.back_office(company)
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                Bag.cancel(Bag.browse(bags))
            customer = Bag.customer_location()
            for bag, token in zip(Bag.browse(bags), tokens):
                with self.subTest(seal=bag.seal):
                    self.assertEqual(
                        (bag.state, bag.custodian), ('cancelled', customer))
                    self.assertTrue(bag.closed_at)
                    told, = Message.search([
                            ('origin', '=', str(bag)),
                            ('text', 'like', '%is cancelled%'),
                            ])
                    self.assertEqual(told.state, 'queued')
                    self.assertIn(
                        f'is cancelled: Items of {bag.seal} taken back',
                        told.text)
                    # the customer's link shows the bag cancelled
                    self.assertEqual(Bag.from_receipt_token(token), bag)
            # out of the point's, the courier's and the factory's hands
            for where in [
                    point.location.storage_location, van,
                    point.warehouse.storage_location]:
                self.assertEqual(
                    Bag.search([('custodian', '=', where.id)]), [])
            self.assertEqual(Bag.search([('holder', '=', courier.id)]), [])

    @with_transaction()
    def test_one_open_act_per_bag(self):
        "A bag already on an open act cannot be put on another"
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, = self.bags(point, clerk, 1)
            courier, van = self.courier()
            act = self.act(point, van, [bag], courier=courier)
            with self.assertRaisesRegex(HandoverError, 'already on the open'):
                self.act(point, van, [bag], courier=courier)
            act.__class__.cancel([act])
            self.act(point, van, [bag], courier=courier)

    @with_transaction()
    def test_confirm_by_the_taker_only(self):
        "Another courier cannot confirm an act addressed to the first"
        Handover = Pool().get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, = self.bags(point, clerk, 1)
            courier, van = self.courier()
            other, _ = self.courier('other@example.com')
            act = self.act(point, van, [bag], courier=courier)
            Handover.send([act])
            with Transaction().set_context(web_user=other.id), \
                    self.assertRaisesRegex(HandoverError, 'someone else'):
                Handover.confirm([act])
            self.assertEqual(act.state, 'sent')

    @with_transaction()
    def test_giver_must_hold_the_bags(self):
        "A bag held elsewhere cannot be handed over from here"
        pool = Pool()
        Handover = pool.get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, = self.bags(point, clerk, 1)
            courier, van = self.courier()
            act = Handover(
                from_location=van,
                to_location=point.warehouse.storage_location,
                lines=[{'bag': bag.id}])
            act.save()
            with self.assertRaisesRegex(HandoverError, 'is not held by'):
                Handover.send([act])

    @with_transaction()
    def test_done_act_is_closed(self):
        "An act cannot be edited or deleted once handed over"
        Handover = Pool().get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, = self.bags(point, clerk, 1)
            courier, van = self.courier()
            act = self.act(point, van, [bag], courier=courier)
            Handover.send([act])
            Handover.confirm([act])
            with Transaction().set_context(_check_access=True):
                with self.assertRaises(AccessError):
                    Handover.write([act], {'date': act.date})
                with self.assertRaises(AccessError):
                    Handover.delete([act])

    @with_transaction()
    def test_take_with_a_bag_not_on_the_act(self):
        "A bag that came without being on the act joins it, flagged"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Handover = pool.get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            listed, extra = self.bags(point, clerk, 2)
            courier, van = self.courier()
            act = self.act(point, van, [listed], courier=courier)
            Handover.send([act])
            with Transaction().set_context(web_user=courier.id):
                act = Handover.take(act, extra=[extra])
            self.assertEqual(act.state, 'done')
            self.assertEqual(
                sorted((l.seal, l.outcome) for l in act.lines),
                [('SEAL0000', None), ('SEAL0001', 'extra')])
            # the act's totals stay those the giver signed for
            self.assertEqual((act.bag_count, act.discrepancy_count), (1, 1))
            extra = Bag(extra.id)
            self.assertEqual(
                (extra.custodian, extra.state, extra.needs_attention),
                (van, 'in_transit', True))
            discrepancy, = extra.discrepancies
            self.assertEqual(
                discrepancy.description,
                f'Came without being on act {act.number}')

    @with_transaction()
    def test_take_only_bags_the_giver_holds(self):
        """A seal typed for a bag the giver does not hold, or for no bag, is
        recorded on the act and nothing moves; a text that is no seal is
        refused"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Handover = pool.get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            listed, forgotten, factory = self.bags(point, clerk, 3)
            Bag.receive_checked(factory, True, 3)
            courier, van = self.courier()
            act = self.act(point, van, [listed], courier=courier)
            Handover.send([act])
            with Transaction().set_context(web_user=courier.id):
                with self.assertRaisesRegex(SealError, 'is not valid'):
                    Handover.take(act, seals=['SEAL0001', 'X!'])
                # the back office's wizard gives bags, the portal seals
                act = Handover.take(
                    act, extra=[factory], seals=['seal-0001', 'NOSUCH01'])
            self.assertEqual(
                sorted((l.seal, l.outcome, l.bag) for l in act.lines), [
                    ('NOSUCH01', 'not_held', None),
                    ('SEAL0000', None, listed),
                    ('SEAL0001', 'extra', forgotten),
                    ('SEAL0002', 'not_held', None),
                    ])
            self.assertEqual((act.bag_count, act.discrepancy_count), (1, 3))
            self.assertEqual(Bag(forgotten.id).custodian, van)
            factory = Bag(factory.id)
            self.assertEqual(
                (factory.state, factory.custodian, factory.needs_attention),
                ('received', point.warehouse.storage_location, False))

    @with_transaction()
    def test_take_refuses_contradictions(self):
        "A bag cannot be both missing and broken, nor come from elsewhere"
        pool = Pool()
        Handover = pool.get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bag, other = self.bags(point, clerk, 2)
            courier, van = self.courier()
            act = self.act(point, van, [bag], courier=courier)
            Handover.send([act])
            with self.assertRaisesRegex(HandoverError, 'both missing'):
                Handover.take(act, missing=[bag], broken=[bag])
            with self.assertRaisesRegex(HandoverError, 'is not on act'):
                Handover.take(act, missing=[other])
            Handover.take(act)
            # confirmed once: a second confirmation changes nothing
            with self.assertRaisesRegex(HandoverError, 'cannot be confirmed'):
                Handover.take(act, missing=[bag])
            self.assertEqual(Handover(act.id).discrepancy_count, 0)

    @with_transaction()
    def test_courier_sees_only_the_bags_he_holds(self):
        "In the portal a courier finds his bags, not another courier's"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Handover = pool.get('drop.handover')
        ModelData = pool.get('ir.model.data')
        company, point, clerk = self.setup_point()
        with set_company(company):
            mine, theirs = self.bags(point, clerk, 2)
            courier, van = self.courier()
            other, other_van = self.courier('other@example.com')
            for bag, who, where in [
                    (mine, courier, van), (theirs, other, other_van)]:
                act = self.act(point, where, [bag], courier=who)
                Handover.send([act])
            self.assertEqual(Bag.search([('holder', '=', courier.id)]), [mine])
            self.assertEqual(mine.holder, courier)
            portal = ModelData.get_id('drop_point', 'user_portal')
            with Transaction().set_user(portal), \
                    Transaction().set_context(
                        web_user=courier.id, _check_access=True,
                        company=company.id, _companies=[company.id]):
                self.assertEqual(Bag.search([]), [Bag(mine.id)])
                self.assertEqual(
                    [a.courier for a in Handover.search([])], [courier])


del ModuleTestCase
