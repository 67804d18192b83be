# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Each drop point's partner is a commission agent: the point's orders earn
the agent's commission by the agent's plan."""
from sql import Null

from trytond.model import Index, fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Agent(metaclass=PoolMeta):
    __name__ = 'commission.agent'

    drop_points = fields.One2Many(
        'drop.point', 'agent', "Drop Points", readonly=True,
        help="The points whose orders earn this agent's commission: "
        "it is settled by the month's statement.")


class Point(metaclass=PoolMeta):
    __name__ = 'drop.point'

    agent = fields.Many2One(
        'commission.agent', "Commission Agent", ondelete='RESTRICT',
        domain=[
            ('type_', '=', 'agent'),
            ('party', '=', Eval('party', -1)),
            ('company', '=', Eval('company', -1)),
            ],
        help="The partner as commission agent: its plan says what the "
        "point's orders earn.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.agent, Index.Range()), where=t.agent != Null))
