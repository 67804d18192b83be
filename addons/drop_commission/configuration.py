# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "How the partners' statements book what is not a commission"
    __name__ = 'drop.commission.configuration'
    __string__ = "Commission Configuration"

    collection_product = fields.Many2One(
        'product.product', "Cash Collected Product",
        domain=[
            ('type', '=', 'service'),
            ('default_uom', '=', Id('product', 'uom_unit')),
            ],
        help="The service on the commission invoice's line of the cash the "
        "partner's points collected for the company, deducted from what "
        "the company owes.")
