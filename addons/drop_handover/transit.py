# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from sql.aggregate import Count, Max, Min, Sum

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.drop_bag.pickup import audit_columns
from trytond.pool import Pool


class Transit(ModelSQL, ModelView):
    "The bags each courier holds, and since when"
    __name__ = 'drop.bag.transit'
    __string__ = "Bags in Transit"

    company = fields.Many2One('company.company', "Company", readonly=True)
    location = fields.Many2One('stock.location', "Location", readonly=True)
    courier = fields.Many2One('web.user', "Courier", readonly=True)
    bags = fields.Integer("Bags", readonly=True)
    items = fields.Integer("Items", readonly=True)
    since = fields.DateTime(
        "Since", readonly=True,
        help="When the courier took the bag held longest.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('since', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "One line per courier holding bags: their last moves went to him"
        pool = Pool()
        Bag = pool.get('drop.bag')
        ModelData = pool.get('ir.model.data')
        Location = pool.get('stock.location')
        WebUser = pool.get('web.user')
        bag = Bag.__table__()
        location = Location.__table__()
        web_user = WebUser.__table__()
        couriers = ModelData.get_id('drop_handover', 'location_couriers')
        last = Bag.last_moves_query()
        query = (last
            .join(bag, condition=bag.lot == last.lot)
            .join(location, condition=location.id == last.to_location)
            .join(web_user, 'LEFT',
                condition=web_user.custody_location == location.id))
        return query.select(
            location.id.as_('id'),
            *audit_columns(bag),
            Max(bag.company).as_('company'),
            location.id.as_('location'),
            Max(web_user.id).as_('courier'),
            Count(bag.id).as_('bags'),
            Sum(bag.item_count).as_('items'),
            Min(last.create_date).as_('since'),
            where=(last.rank == 1) & (location.parent == couriers),
            group_by=[location.id])
