# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Custody through Tryton's stock: a bag is a lot of the bag product, each
drop point, courier and factory a location, each change of hands a done
move.  The bag's custodian is where its last done move went."""
import datetime as dt

from sql import Null, Window
from sql.functions import RowNumber

from trytond.i18n import gettext
from trytond.model import Index, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    custody_location = fields.Many2One(
        'stock.location', "Custody Location", readonly=True,
        ondelete='RESTRICT',
        help="The location of the bags a courier holds.")

    @classmethod
    def custody_locations(cls, couriers):
        "The couriers' locations, created under Couriers when missing"
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        missing = [c for c in couriers if not c.custody_location]
        if missing:
            parent = ModelData.get_id('drop_handover', 'location_couriers')
            locations = [Location(
                    name=gettext('drop_handover.msg_courier_location',
                        courier=c.party.rec_name if c.party else c.email),
                    type='storage', parent=parent) for c in missing]
            Location.save(locations)
            for courier, location in zip(missing, locations):
                courier.custody_location = location
            cls.save(missing)
        return [c.custody_location for c in couriers]


class Bag(metaclass=PoolMeta):
    __name__ = 'drop.bag'

    lot = fields.Many2One(
        'stock.lot', "Lot", readonly=True, ondelete='RESTRICT',
        help="The bag in the stock: a lot of the bag product.")
    custodian = fields.Function(
        fields.Many2One('stock.location', "Custodian"),
        'get_custodian', searcher='search_custodian')
    holder = fields.Function(
        fields.Many2One('web.user', "Courier Holding"),
        'get_holder', searcher='search_holder')
    held_since = fields.Function(
        fields.DateTime("Held Since", help="When the custodian took the bag."),
        'get_custodian')
    custody = fields.Function(
        fields.Many2Many('stock.move', None, None, "Custody"),
        'get_custody')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {
            ('accepted', 'in_transit'),
            ('returning', 'at_point'),
            }
        cls._transitions |= {
            (s, 'returning') for s in cls.returnable_states()}

    @classmethod
    def last_moves_query(cls, lots=None):
        """Each lot's done moves ranked from the last (rank 1), as a query to
        select from; only those of the lots ids, if given"""
        move = Pool().get('stock.move').__table__()
        where = move.state == 'done'
        if lots is not None:
            where &= move.lot.in_(lots)
        rank = RowNumber(window=Window(
                [move.lot],
                order_by=[move.effective_date.desc, move.id.desc]))
        return move.select(
            move.id, move.lot, move.to_location, move.create_date,
            rank.as_('rank'), where=where)

    @classmethod
    def get_custodian(cls, bags, names):
        "Where each bag's last done move went, and when"
        cursor = Transaction().connection.cursor()
        lots = {b.lot.id: b.id for b in bags if b.lot}
        result = {n: dict.fromkeys((b.id for b in bags), None) for n in names}
        if lots:
            last = cls.last_moves_query(list(lots))
            cursor.execute(*last.select(
                    last.lot, last.to_location, last.create_date,
                    where=last.rank == 1))
            for lot, location, since in cursor:
                if 'custodian' in result:
                    result['custodian'][lots[lot]] = location
                if 'held_since' in result:
                    result['held_since'][lots[lot]] = since
        return result

    @classmethod
    def search_custodian(cls, name, clause):
        "The bags whose lot's last done move went to the locations"
        Location = Pool().get('stock.location')
        _, operator, value = clause[:3]
        if value is None:
            return [('lot', '=', None)]
        field = 'rec_name' if isinstance(value, str) else 'id'
        return cls._held_at(
            Location.search([(field, operator, value)], query=True))

    @classmethod
    def _held_at(cls, locations):
        "The domain of the bags whose custodian is in the locations query"
        last = cls.last_moves_query()
        return [('lot', 'in', last.select(
                    last.lot,
                    where=(last.rank == 1)
                    & last.to_location.in_(locations)))]

    @classmethod
    def get_holder(cls, bags, name):
        "The courier whose location holds the bag"
        WebUser = Pool().get('web.user')
        custodians = cls.get_custodian(bags, ['custodian'])['custodian']
        couriers = {
            c.custody_location.id: c.id for c in WebUser.search([
                    ('custody_location', 'in',
                        list(filter(None, set(custodians.values())))),
                    ])}
        return {b: couriers.get(l) for b, l in custodians.items()}

    @classmethod
    def search_holder(cls, name, clause):
        "The bags held by the couriers of the ids: '=' or 'in' only"
        WebUser = Pool().get('web.user')
        web_user = WebUser.__table__()
        _, operator, value = clause[:3]
        if operator not in {'=', 'in'}:
            raise ValueError(f"holder does not search with {operator}")
        ids = [value] if operator == '=' else list(value or [])
        cursor = Transaction().connection.cursor()
        cursor.execute(*web_user.select(
                web_user.custody_location,
                where=web_user.id.in_(ids or [-1])
                & (web_user.custody_location != Null)))
        locations = [l for l, in cursor]
        if not locations:
            # a clerk holds no bag: the portal's rule then ranks no move
            return [('id', '=', None)]
        return cls._held_at(locations)

    def get_custody(self, name):
        "The bag's moves from hand to hand, the first first"
        Move = Pool().get('stock.move')
        if not self.lot:
            return []
        return [m.id for m in Move.search([
                    ('lot', '=', self.lot.id),
                    ('state', '=', 'done'),
                    ], order=[('effective_date', 'ASC'), ('id', 'ASC')])]

    @classmethod
    @Workflow.transition('in_transit')
    def transit(cls, bags):
        "The bags left the point with a courier"
        pass

    @classmethod
    def cancellable_states(cls):
        "A bag on its way to the factory may be cancelled too"
        return super().cancellable_states() | {'in_transit'}

    @staticmethod
    def returnable_states():
        "The states of the bags the factory may send back to their point"
        return {'received', 'processing', 'ready'}

    @classmethod
    def travelling_states(cls, direction):
        "The states of the bags that may go on an act of the direction"
        if direction == 'to_point':
            return cls.returnable_states() | {'returning'}
        return {'accepted', 'in_transit'}

    @classmethod
    @Workflow.transition('returning')
    def return_(cls, bags):
        "The factory gave the bags for the way back to their point"
        pass

    @classmethod
    @Workflow.transition('at_point')
    def arrive(cls, bags):
        "The point took the bags back, to be issued to their customers"
        pass

    @classmethod
    def accept(cls, bags):
        super().accept(bags)
        cls._take_into_custody(bags)

    @staticmethod
    def customer_location():
        "Where the bags are when the customers hold them"
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        return Location(ModelData.get_id('stock', 'location_customer'))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bags):
        """A cancelled bag leaves our custody for its customer, wherever it
        was: the point, a courier or the factory"""
        super().cancel(bags)
        customer = cls.customer_location()
        held = [b for b in bags
            if b.lot and b.custodian not in {None, customer}]
        if held:
            cls.move_custody(
                held, [b.custodian for b in held], [customer] * len(held))

    @classmethod
    def receive(cls, bags):
        "The factory that checked the bags holds them, act or not"
        super().receive(bags)
        moved = [b for b in bags if b.lot and b.state == 'received'
            and b.custodian != b.drop_point.warehouse.storage_location]
        if moved:
            cls.move_custody(
                moved, [b.custodian for b in moved],
                [b.drop_point.warehouse.storage_location for b in moved])

    @classmethod
    def _take_into_custody(cls, bags):
        "Each bag becomes a lot, moved from the customer to its point"
        pool = Pool()
        Configuration = pool.get('drop.handover.configuration')
        Lot = pool.get('stock.lot')
        product = Configuration(1).bag_product
        lots = [Lot(number=b.seal, product=product) for b in bags]
        Lot.save(lots)
        for bag, lot in zip(bags, lots):
            bag.lot = lot
        cls.save(bags)
        cls.move_custody(
            bags, [cls.customer_location()] * len(bags),
            [b.drop_point.location.storage_location for b in bags])

    @classmethod
    def move_custody(cls, bags, from_locations, to_locations, origins=None):
        "Record, in one batch, that the bags changed hands; return the moves"
        pool = Pool()
        Move = pool.get('stock.move')
        now = dt.datetime.now()
        today = now.date()
        moves = []
        for bag, from_, to, origin in zip(
                bags, from_locations, to_locations,
                origins or [None] * len(bags)):
            product = bag.lot.product
            move = Move(
                company=bag.company, product=product,
                unit=product.default_uom, quantity=1, lot=bag.lot,
                from_location=from_, to_location=to,
                effective_date=today, planned_date=today,
                origin=origin or bag)
            # to or from the customer a price is asked: a bag costs nothing
            if move.on_change_with_unit_price_required():
                move.unit_price, move.currency = 0, bag.company.currency
            moves.append(move)
        Move.save(moves)
        Move.do(moves)
        return moves


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # a bag's custodian is read from its lot's moves
        cls._sql_indexes.add(Index(t, (t.lot, Index.Range())))

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['drop.bag', 'drop.handover.line']
