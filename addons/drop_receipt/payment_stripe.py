# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""An online payment through Stripe cancelled at Stripe, when the order is
paid at the point: Stripe takes nothing more for a cancelled payment
intent."""
import logging

import stripe

from trytond.i18n import gettext
from trytond.modules.account_payment_stripe.payment import STRIPE_VERSION
from trytond.pool import PoolMeta

from .exceptions import OrderError

logger = logging.getLogger(__name__)


class Payment(metaclass=PoolMeta):
    __name__ = 'account.payment'

    def _cancel_stripe(self):
        """Cancel the payment's intent at Stripe, or refuse: a charge made
        without an intent, or an intent Stripe did not cancel (it went
        through, or Stripe did not answer), may still take the money"""
        if self.stripe_charge_id:
            raise self._not_cancelled()
        if not self.stripe_payment_intent_id:
            # nothing charges a failed payment without an intent
            return
        if self._stripe_cancel_intent() != 'canceled':
            raise self._not_cancelled()

    def _stripe_cancel_intent(self):
        "The intent's status once asked to cancel, None if unknown"
        params = {
            'api_key': self.journal.stripe_account.secret_key,
            'stripe_version': STRIPE_VERSION,
            }
        try:
            intent = stripe.PaymentIntent.cancel(
                self.stripe_payment_intent_id, **params)
        except stripe.StripeError as error:
            logger.info("payment intent %s not cancelled: %s",
                self.stripe_payment_intent_id, error)
            try:
                # cancelled already, by a try whose transaction failed
                intent = stripe.PaymentIntent.retrieve(
                    self.stripe_payment_intent_id, **params)
            except stripe.StripeError:
                return None
        return intent.status

    def _not_cancelled(self):
        return OrderError(gettext(
                'drop_receipt.msg_payment_not_cancelled',
                payment=self.rec_name))
