# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


def _default(module, name):
    @classmethod
    def default(cls):
        try:
            return Pool().get('ir.model.data').get_id(module, name)
        except KeyError:
            return None
    return default


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "What handover acts are numbered and counted with"
    __name__ = 'drop.handover.configuration'
    __string__ = "Handover Configuration"

    sequence = fields.Many2One(
        'ir.sequence', "Act Sequence", required=True,
        domain=[('sequence_type', '=',
                Id('drop_handover', 'sequence_type_handover'))],
        help="Numbers the handover acts.")
    bag_product = fields.Many2One(
        'product.product', "Bag Product", required=True,
        domain=[('type', '=', 'goods')],
        help="The zero-cost goods whose lots are the bags, "
        "one lot per seal.")

    default_sequence = _default('drop_handover', 'sequence_handover')
    default_bag_product = _default('drop_handover', 'product_bag')
