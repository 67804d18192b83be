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
