# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.pool import PoolMeta
from trytond.transaction import Transaction


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
