# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""What the customer does on the receipt's link: sign it with a code sent to
the phone, pay it online, download it as a PDF.  The link's token is the only
credential: a wrong or revoked one finds nothing."""
from werkzeug.utils import redirect

from trytond.exceptions import UserError
from trytond.modules.drop_bag.routes import no_referrer, receipt_not_found
from trytond.modules.drop_point.portal import error_status, route
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus, Response
from trytond.transaction import Transaction, without_check_access

from .bag import SIGNABLE
from .document import Document
from .signature import purpose


def _bag(token):
    "The bag of the link, when it has an order"
    Bag = Pool().get('drop.bag')
    bag = Bag.from_receipt_token(token)
    if bag and bag.order:
        return bag


def _not_found(portal):
    return no_referrer(receipt_not_found(portal))


def _page(portal, bag, token, status=HTTPStatus.OK, **values):
    context = bag.receipt_values(portal)
    context.update(values)
    return no_referrer(portal.render(
            bag.receipt_template, status=status, bag=bag, token=token,
            **context))


# the receipt's forms post from a page without referrer: "Origin: null"
@route('/<token>/sign', methods=['POST'], login_required=False, prefix='/bag',
    allow_null_origin=True)
def sign_code(portal, token):
    "Send the customer the code that signs the receipt as it reads now"
    pool = Pool()
    Verification = pool.get('sms.verification')
    bag = _bag(token)
    if not bag:
        return _not_found(portal)
    with without_check_access():
        if bag.order.signature or bag.order.state not in SIGNABLE:
            return _page(portal, bag, token)
    try:
        with without_check_access():
            digest = Document(bag, portal.language).digest
            # who asks is the customer's address: codes per sender apply
            Verification.issue(
                bag.phone, purpose(bag.order, digest),
                f'ip,{portal.request.remote_addr}',
                language=portal.language, origin=bag,
                template='drop_receipt.msg_sms_sign_code')
    except UserError as error:
        Transaction().rollback()
        return _page(
            portal, bag, token, status=error_status(error),
            error=error.message)
    return _page(portal, bag, token, code_sent=True)


@route('/<token>/sign/confirm', methods=['POST'], login_required=False,
    prefix='/bag', allow_null_origin=True)
def sign_confirm(portal, token):
    "The customer entered the code: the receipt is signed"
    Signature = Pool().get('drop.receipt.signature')
    bag = _bag(token)
    if not bag:
        return _not_found(portal)
    request = portal.request
    with without_check_access():
        if bag.order.signature:
            return _page(portal, bag, token)
        signature, error = Signature.sign(
            bag, request.form.get('code', ''), portal.language,
            ip_address=request.remote_addr,
            user_agent=request.headers.get('User-Agent'))
    if error:
        return _page(
            portal, bag, token, status=HTTPStatus.BAD_REQUEST,
            code_sent=True, error=error)
    return _page(
        portal, bag, token,
        notice=portal.gettext('drop_receipt.msg_receipt_signed_notice'))


@route('/<token>/pay', methods=['POST'], login_required=False, prefix='/bag',
    allow_null_origin=True)
def pay(portal, token):
    "Start the online payment of what is due and go to its gateway"
    Payment = Pool().get('account.payment')
    bag = _bag(token)
    if not bag:
        return _not_found(portal)
    try:
        with without_check_access():
            payment = Payment.online(bag)
            url = payment.checkout_url(f'{portal.root}/bag/{token}')
    except UserError as error:
        Transaction().rollback()
        return _page(
            portal, bag, token, status=error_status(error),
            error=error.message)
    return no_referrer(redirect(url, code=HTTPStatus.SEE_OTHER))


@route('/<token>/receipt.pdf', login_required=False, prefix='/bag')
def pdf(portal, token):
    "The receipt as a PDF, with the QR code of its link"
    bag = _bag(token)
    if not bag:
        return _not_found(portal)
    url = bag.receipt_url(token)
    with without_check_access():
        content = Document(bag, portal.language).pdf(
            url, signature=bag.order.signature, due=bag.amount_due)
    disposition = f'inline; filename="receipt-{bag.seal}.pdf"'
    return Response(content, HTTPStatus.OK, headers={
            'Content-Type': 'application/pdf',
            'Content-Disposition': disposition,
            'Referrer-Policy': 'no-referrer',
            })
