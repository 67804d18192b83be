# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import PoolMeta

from .ir import RuleExportMixin


class Staff(RuleExportMixin, ModelSQL, ModelView):
    __name__ = 'drop.point.staff'

    point = fields.Many2One(
        'drop.point', "Drop Point", required=True, ondelete='CASCADE')
    web_user = fields.Many2One(
        'web.user', "Portal User", required=True, ondelete='CASCADE')
    role = fields.Selection([
            ('clerk', "Clerk"),
            ('manager', "Manager"),
            ], "Role", required=True,
        help="Clerks accept and issue bags; "
        "managers also see the point's figures.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('point_user_unique', Unique(t, t.point, t.web_user),
                'drop_point.msg_staff_unique'),
            ]
        cls._order.insert(0, ('point', 'ASC'))

    @classmethod
    def default_role(cls):
        return 'clerk'

    def get_rec_name(self, name):
        return f'{self.web_user.rec_name} @ {self.point.rec_name}'


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    drop_points = fields.One2Many(
        'drop.point.staff', 'web_user', "Drop Points",
        help="The points where this user works, with a role at each.")
    courier = fields.Boolean(
        "Courier", help="Carries bags between points and the factory.")

    @classmethod
    def default_courier(cls):
        return False

    @property
    def portal_allowed(self):
        "Whether the user may log into the partner portal"
        return bool(self.courier or self.drop_points)
