# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The sandbox gateway: a payment page for the demo and the tests that
takes test card numbers as well-known providers' test modes do, and tells
the payment's outcome by a signed notice, as a real gateway calls back.

    4242 4242 4242 4242  accepted
    4000 0000 0000 0002  declined
    4000 0000 0000 9995  declined, insufficient funds
"""
import datetime as dt
import json
import re

from werkzeug.utils import redirect

from trytond.modules.drop_bag.routes import no_referrer
from trytond.modules.drop_point.portal import route, wait_locks
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, with_pool, with_transaction)
from trytond.transaction import without_check_access
from trytond.wsgi import app

from .payment import sign

PAGE = 'drop_receipt/sandbox.html'
ACCEPTED = {'4242424242424242'}
DECLINED = {
    '4000000000000002': 'drop_receipt.msg_sandbox_declined',
    '4000000000009995': 'drop_receipt.msg_sandbox_insufficient_funds',
    }


def luhn(number):
    "Whether the card number passes the Luhn check"
    total = 0
    for i, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _payment(reference):
    Payment = Pool().get('account.payment')
    with without_check_access():
        return Payment.sandbox_payment(reference)


def _return_url(portal):
    "Back to the receipt, never to another site"
    url = (portal.request.values.get('return') or '')
    # a line break would end the redirection's header
    if (url.startswith(portal.root + '/bag/') and '//' not in url[1:]
            and url.isprintable()):
        return url


def _render(portal, payment, status=HTTPStatus.OK, **values):
    "The gateway's page: its address holds the way back to the receipt"
    with without_check_access():
        return no_referrer(portal.render(
                PAGE, status=status, payment=payment,
                return_url=_return_url(portal), **values))


def _card_errors(portal, form):
    "The card's fields that are wrong, by name"
    errors = {}
    number = re.sub(r'[\s-]', '', form.get('card', ''))
    if not re.fullmatch(r'\d{16}', number) or not luhn(number):
        errors['card'] = portal.gettext('drop_receipt.msg_sandbox_card')
    match = re.fullmatch(r'\s*(\d{1,2})\s*/\s*(\d{2})\s*', form.get(
                'expiry', ''))
    today = dt.date.today()
    if (not match or not 1 <= int(match.group(1)) <= 12
            or (2000 + int(match.group(2)), int(match.group(1)))
            < (today.year, today.month)):
        errors['expiry'] = portal.gettext('drop_receipt.msg_sandbox_expiry')
    if not re.fullmatch(r'\d{3}', form.get('cvc', '').strip()):
        errors['cvc'] = portal.gettext('drop_receipt.msg_sandbox_cvc')
    return number, errors


@route('/<reference>', login_required=False, prefix='/sandbox')
def checkout(portal, reference):
    "The gateway's page: the amount, and the card to pay it with"
    payment = _payment(reference)
    if not payment:
        return portal.not_found()
    return _render(portal, payment)


@route('/<reference>', methods=['POST'], login_required=False,
    prefix='/sandbox', allow_null_origin=True)
def charge(portal, reference):
    """Charge the card: the gateway sends its notice of the outcome, then
    takes the customer back to the receipt"""
    Payment = Pool().get('account.payment')
    payment = _payment(reference)
    if not payment:
        return portal.not_found()
    if payment.state != 'processing':
        return _render(portal, payment)
    form = portal.request.form
    number, errors = _card_errors(portal, form)
    if errors:
        return _render(
            portal, payment, status=HTTPStatus.BAD_REQUEST, errors=errors)
    status = 'succeeded' if number in ACCEPTED else 'declined'
    # the page posts the amount, as form integrations of gateways do
    body = json.dumps({
            'reference': reference,
            'status': status,
            'amount': form.get('amount', ''),
            'currency': form.get('currency', ''),
            }).encode()
    with without_check_access():
        # cancelled meanwhile (paid at the point): nothing is charged
        result = Payment.sandbox_notice(body, sign(body), charge=True)
    if result == 'closed':
        return _render(portal, _payment(reference))
    if result != 'ok':
        return _render(
            portal, payment, status=HTTPStatus.BAD_REQUEST,
            error=portal.gettext('drop_receipt.msg_sandbox_mismatch'))
    url = _return_url(portal)
    if url:
        return no_referrer(redirect(
                f'{url}?payment={status}', code=HTTPStatus.SEE_OTHER))
    return _render(
        portal, _payment(reference),
        declined=portal.gettext(DECLINED.get(
                number, 'drop_receipt.msg_sandbox_not_test_card'))
        if status == 'declined' else None)


@app.route('/<database_name>/sandbox/notice', methods=['POST'])
@with_pool
@wait_locks
@with_transaction()
def notice(request, pool):
    """The gateway's notice, server to server: 204 once handled (again: a
    notice sent twice pays once), 400 forged or not the payment's amount,
    404 no such payment"""
    Payment = pool.get('account.payment')
    result = Payment.sandbox_notice(
        request.get_data(), request.headers.get('X-Sandbox-Signature'))
    status = {
        'ok': HTTPStatus.NO_CONTENT,
        'unknown': HTTPStatus.NOT_FOUND,
        }.get(result, HTTPStatus.BAD_REQUEST)
    return Response(status=status)
