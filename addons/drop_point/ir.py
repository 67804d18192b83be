# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from sql import Literal, Null

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


class ModelAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.access'

    @classmethod
    def get_access(cls, models):
        """The portal user writes nothing through the access layer, and
        reads only what an access record gives: Tryton opens a model
        without any to every user"""
        access = super().get_access(models)
        if not cls._portal():
            return access
        recorded = cls._recorded(models)
        return {m: dict(
                dict.fromkeys(a, False), read=a['read'] and m in recorded)
            for m, a in access.items()}

    @classmethod
    def _portal(cls):
        "Whether the user is the portal's"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        with without_check_access():
            group = ModelData.get_id('drop_point', 'group_portal')
        return group in User.get_groups()

    @classmethod
    def _recorded(cls, models):
        """The models that an access record of the user's groups or of all
        users covers, itself or through its __access__ fields"""
        pool = Pool()
        names = cls._recorded_names()

        def covered(Model, seen=()):
            return Model.__name__ in names or any(
                covered(getattr(Model, f).get_target(), (*seen, Model))
                for f in Model.__access__
                if getattr(Model, f).get_target() not in seen)
        return {m for m in models if covered(pool.get(m))}

    @classmethod
    def _recorded_names(cls):
        "The names of the models an access record of the user's covers"
        User = Pool().get('res.user')
        groups = User.get_groups()
        key = ('recorded', groups)
        names = cls._get_access_cache.get(key)
        if names is None:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.model,
                    where=(table.active == Literal(True))
                    & (table.group.in_(groups or [-1])
                        | (table.group == Null)),
                    group_by=[table.model]))
            names = cls._get_access_cache.set(
                key, frozenset(m for m, in cursor))
        return names


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        return (*key, Transaction().context.get('web_user'))

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        # the portal user's rules are evaluated for the web user it serves
        context['web_user'] = Transaction().context.get('web_user')
        return context


class RuleExportMixin:
    """Check the record rules in SQL before an export, as a read does.

    Tryton's export evaluates the rules in Python, where a path through a
    relation (``drop_point.staff.web_user``) counts as met whenever its
    first field is set: the portal's rules would then let any export
    through."""
    __slots__ = ()

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        cls.read([r.id for r in records], ['id'])
        return super().export_data(records, fields_names, header=header)
