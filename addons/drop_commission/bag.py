# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Bag(metaclass=PoolMeta):
    __name__ = 'drop.bag'

    @classmethod
    def issue(cls, bags):
        "The order is issued: a commission earned on issue gets its date"
        pool = Pool()
        Commission = pool.get('commission')
        Date = pool.get('ir.date')
        super().issue(bags)
        orders = [b.order.id for b in bags if b.order]
        if not orders:
            return
        commissions = Commission.search([
                ('drop_order', 'in', orders),
                ('date', '=', None),
                ('agent.plan.commission_method', '=', 'issue'),
                ])
        if commissions:
            Commission.write(commissions, {'date': Date.today()})


class Discrepancy(metaclass=PoolMeta):
    __name__ = 'drop.bag.discrepancy'

    point_at_fault = fields.Boolean(
        "Caused by the Point",
        help="Counts as a penalty on the partner's month statement; "
        "untick when the point was not to blame.")

    @classmethod
    def default_point_at_fault(cls):
        return True
