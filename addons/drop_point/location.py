# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    drop_points = fields.One2Many(
        'drop.point', 'location', "Drop Points", readonly=True,
        help="The drop points whose bags this location holds.")

    @classmethod
    def factories(cls):
        "Return the warehouses that are not drop points"
        return cls.search([
                ('type', '=', 'warehouse'),
                ('drop_points', '=', None),
                ])
