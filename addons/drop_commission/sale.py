# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.pool import PoolMeta


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def set_agent(cls, sales):
        "An order of a drop point earns the commission of the point's partner"
        for sale in sales:
            if not sale.agent and sale.drop_point and sale.drop_point.agent:
                sale.agent = sale.drop_point.agent
        super().set_agent(sales)
