# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import OrderError


class Bag(metaclass=PoolMeta):
    __name__ = 'drop.bag'

    orders = fields.One2Many('sale.sale', 'bag', "Orders", readonly=True)
    order = fields.Function(
        fields.Many2One('sale.sale', "Order"), 'get_order')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {('received', 'processing')}
        cls._buttons.update({
                'write_up': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                })

    def get_order(self, name):
        "The bag's order that is not cancelled"
        for sale in self.orders:
            if sale.state != 'cancelled':
                return sale.id

    @classmethod
    @ModelView.button_action('drop_receipt.act_bag_order')
    def write_up(cls, bags):
        "Open the bag's order, made for its customer when it has none"
        pool = Pool()
        Address = pool.get('party.address')
        Sale = pool.get('sale.sale')
        # a customer known by the phone only: a blank invoice address
        Address.save([Address(party=p) for p in {b.customer for b in bags}
                if not p.addresses])
        sales = []
        new = []
        for bag in bags:
            if bag.state != 'received':
                raise OrderError(gettext(
                        'drop_receipt.msg_write_up_state', seal=bag.seal,
                        state=bag.state_string))
            if bag.order:
                sales.append(bag.order)
                continue
            sale = Sale(
                company=bag.company, party=bag.customer, bag=bag,
                drop_point=bag.drop_point,
                description=gettext(
                    'drop_receipt.msg_order_description', seal=bag.seal,
                    point=bag.drop_point.code))
            sale.on_change_party()
            new.append(sale)
            sales.append(sale)
        Sale.save(new)
        return {'res_id': [s.id for s in sales]}

    @classmethod
    @Workflow.transition('processing')
    def process(cls, bags):
        "The factory works on the bags' orders"
        pass

    @classmethod
    def process_order(cls, bags):
        """The bags' orders are confirmed: the bags are processed and each
        customer gets one link to the receipt"""
        Message = Pool().get('sms.message')
        bags = [b for b in bags if b.state == 'received']
        cls.process(bags)
        messages = []
        for bag in bags:
            token = bag.new_receipt_token()
            messages.append(Message.prepare(
                    bag.phone, 'drop_receipt.msg_sms_order',
                    language=bag.customer_language, origin=bag,
                    secrets={'url': bag.receipt_url(token)},
                    seal=bag.seal, point=bag.drop_point.name))
        cls.save(bags)
        Message.save(messages)

    @property
    def receipt_template(self):
        if self.order:
            return 'drop_receipt/receipt.html'
        return super().receipt_template
