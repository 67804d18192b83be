# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "The receipt's terms and how its payments are taken and booked"
    __name__ = 'drop.receipt.configuration'
    __string__ = "Order Configuration"

    cash_method = fields.Many2One(
        'account.invoice.payment.method', "Cash at the Point",
        help="The payment method of the cash a point collects.")
    card_method = fields.Many2One(
        'account.invoice.payment.method', "Card at the Point",
        help="The payment method of the card payments on a point's "
        "terminal.")

    terms = fields.Text(
        "Terms", translate=True,
        help="The terms the customer reads on the receipt and signs.")
    online_journal = fields.Many2One(
        'account.payment.journal', "Online Payments",
        help="The payment journal of the receipt's \"Pay\": its process "
        "method is the gateway (the sandbox, or Stripe).")

    def payment_method(self, method):
        return self.cash_method if method == 'cash' else self.card_method
