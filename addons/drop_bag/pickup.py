# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from sql.aggregate import Count, Max, Min, Sum

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool


def audit_columns(table):
    "The create and write columns that a grouped SQL view must still give"
    return [
        Min(table.create_uid).as_('create_uid'),
        Min(table.create_date).as_('create_date'),
        Max(table.write_uid).as_('write_uid'),
        Max(table.write_date).as_('write_date'),
        ]


class PickUp(ModelSQL, ModelView):
    "What waits for the courier at each drop point"
    __name__ = 'drop.bag.pickup'
    __string__ = "Pick-up Board"

    company = fields.Many2One('company.company', "Company", readonly=True)
    drop_point = fields.Many2One('drop.point', "Drop Point", readonly=True)
    bags = fields.Integer("Bags", readonly=True)
    items = fields.Integer("Items", readonly=True)
    waiting_since = fields.DateTime(
        "Waiting Since", readonly=True,
        help="When the oldest bag was accepted.")
    last_accepted = fields.DateTime("Last Accepted", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('waiting_since', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "One line per drop point with accepted bags"
        Bag = Pool().get('drop.bag')
        bag = Bag.__table__()
        return bag.select(
            bag.drop_point.as_('id'),
            *audit_columns(bag),
            Max(bag.company).as_('company'),
            bag.drop_point.as_('drop_point'),
            Count(bag.id).as_('bags'),
            Sum(bag.item_count).as_('items'),
            Min(bag.accepted_at).as_('waiting_since'),
            Max(bag.accepted_at).as_('last_accepted'),
            where=bag.state == 'accepted',
            group_by=[bag.drop_point])
