# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import re

from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import PointValidationError
from .ir import RuleExportMixin

CODE_PATTERN = re.compile(r'^[A-Z0-9][A-Z0-9_-]{1,15}$')


def normalize_code(code):
    return ''.join(code.split()).upper() if code else code


class PointType(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'drop.point.type'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char(
        "Code", required=True,
        help="A short code used by integrations and reports.")
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'drop_point.msg_point_type_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))


class Point(RuleExportMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'drop.point'

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    code = fields.Char(
        "Code", required=True, size=16,
        help="Short code of the point, unique in the company "
        "(letters, digits, dash), written on bags and acts.")
    name = fields.Char("Name", required=True)
    type = fields.Many2One('drop.point.type', "Type", required=True)
    party = fields.Many2One(
        'party.party', "Partner", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The business that runs the point.")
    address = fields.Many2One(
        'party.address', "Address", ondelete='RESTRICT',
        domain=[('party', '=', Eval('party', -1))],
        help="Where customers bring their bags.")
    phone = fields.Char("Phone")
    opening_hours = fields.Text(
        "Opening Hours", help="As customers should read them.")
    location = fields.Many2One(
        'stock.location', "Location", readonly=True, ondelete='RESTRICT',
        help="The stock location that holds the bags at the point, "
        "created with the point.")
    warehouse = fields.Many2One(
        'stock.location', "Factory", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'warehouse'), ('drop_points', '=', None)],
        help="The warehouse (factory) that serves the point.")
    staff = fields.One2Many('drop.point.staff', 'point', "Staff")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.company, t.code),
                'drop_point.msg_point_code_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.party, Index.Range()), where=t.party != Null))
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_warehouse(cls):
        factories = Pool().get('stock.location').factories()
        if len(factories) == 1:
            factory, = factories
            return factory.id

    @fields.depends('code')
    def on_change_code(self):
        self.code = normalize_code(self.code)

    @fields.depends('party', 'address')
    def on_change_party(self):
        if self.party and not self.address:
            self.address = self.party.address_get()
        elif not self.party:
            self.address = None

    def get_rec_name(self, name):
        return f'{self.code} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('code'):
            values['code'] = normalize_code(values['code'])
        return values

    @classmethod
    def validate_fields(cls, points, field_names):
        super().validate_fields(points, field_names)
        cls.check_code(points, field_names)

    @classmethod
    def check_code(cls, points, field_names=None):
        if field_names and 'code' not in field_names:
            return
        for point in points:
            if not CODE_PATTERN.match(point.code):
                raise PointValidationError(gettext(
                        'drop_point.msg_point_code_invalid',
                        code=point.code))

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        missing = [v for v in vlist if not v.get('location')]
        for values, location in zip(
                missing, cls._create_locations(missing)):
            values['location'] = location.id
        return super().create(vlist)

    @classmethod
    def _create_locations(cls, vlist):
        "Create a warehouse with one storage shelf for each point's values"
        pool = Pool()
        Location = pool.get('stock.location')
        shelves = [
            Location(name=cls._location_name(v), type='storage')
            for v in vlist]
        Location.save(shelves)
        locations = [
            Location(
                name=cls._location_name(v), code=normalize_code(v['code']),
                type='warehouse', input_location=s, output_location=s,
                storage_location=s)
            for v, s in zip(vlist, shelves)]
        Location.save(locations)
        for shelf, location in zip(shelves, locations):
            shelf.parent = location
        Location.save(shelves)
        return locations

    @classmethod
    def _location_name(cls, values):
        return f"{normalize_code(values['code'])} {values['name']}"

    @classmethod
    def write(cls, *args):
        super().write(*args)
        cls._sync_locations(sum(args[0:None:2], []))

    @classmethod
    def _sync_locations(cls, points):
        "Keep the locations named after their points"
        pool = Pool()
        Location = pool.get('stock.location')
        to_save = []
        for point in points:
            name = cls._location_name({'code': point.code, 'name': point.name})
            for location in filter(None, [
                        point.location,
                        point.location and point.location.storage_location]):
                if location.name != name:
                    location.name = name
                    to_save.append(location)
        Location.save(to_save)

    @classmethod
    def copy(cls, points, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('location', None)
        default.setdefault('staff', None)
        return super().copy(points, default=default)
