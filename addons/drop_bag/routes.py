# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import datetime as dt
import os
import uuid

from trytond.config import config
from trytond.exceptions import UserError
from trytond.modules.drop_point import portal as portal_
from trytond.modules.drop_point.portal import (
    error_status, form_id, point_route, route)
from trytond.modules.sms.exceptions import PhoneError
from trytond.modules.sms.phone import mask, normalize
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus
from trytond.transaction import Transaction, without_check_access

portal_.register_module('drop_bag', os.path.dirname(__file__))


@route('/<token>', login_required=False, prefix='/bag')
def receipt(portal, token):
    "The customer's preliminary receipt, behind the link of the SMS"
    Bag = Pool().get('drop.bag')
    bag = Bag.from_receipt_token(token)
    if bag:
        response = portal.render(
            bag.receipt_template, bag=bag, token=token,
            **bag.receipt_values(portal))
    else:
        response = receipt_not_found(portal)
    return no_referrer(response)


@route('/', login_required=False, prefix='/bag')
def receipt_missing(portal):
    "A link cut before its token: as a wrong one"
    return no_referrer(receipt_not_found(portal))


def receipt_not_found(portal):
    "The page of any wrong, revoked or expired link: nothing of the link"
    return portal.render(
        'drop_bag/receipt.html', status=HTTPStatus.NOT_FOUND, bag=None)


def no_referrer(response):
    """The token is the credential: never send it in a Referer header (the
    page's forms then post "Origin: null", which their routes allow)"""
    response.headers['Referrer-Policy'] = 'no-referrer'
    return response


INTAKE = 'drop_bag/intake.html'


@point_route('/intake', methods=['GET'])
def intake_start(portal, point):
    return portal.render(INTAKE, point=point, step='phone')


@point_route('/intake/code', methods=['POST'])
def intake_code(portal, point):
    "Send a one-time code to the customer's phone"
    pool = Pool()
    Bag = pool.get('drop.bag')
    Verification = pool.get('sms.verification')
    phone = portal.request.form.get('phone', '')
    try:
        with without_check_access():
            verification = Verification.issue(
                phone, 'intake', Bag.code_sender(portal.web_user))
    except UserError as error:
        Transaction().rollback()
        status = error_status(error)
        return portal.render(
            INTAKE, status=status, point=point, step='phone', phone=phone,
            error=error.message)
    return portal.render(
        INTAKE, point=point, step='code', phone=verification.phone,
        masked=mask(verification.phone),
        resend_wait=int(Verification.resend_delay().total_seconds()))


@point_route('/intake/verify', methods=['POST'])
def intake_verify(portal, point):
    "Check the code the customer reads out"
    pool = Pool()
    Bag = pool.get('drop.bag')
    Verification = pool.get('sms.verification')
    form = portal.request.form
    phone = form.get('phone', '')
    try:
        with without_check_access():
            # only the code this clerk asked for: the one the intake accepts
            result = Verification.check(
                phone, 'intake', form.get('code', ''),
                sender=Bag.code_sender(portal.web_user))
    except UserError as error:
        return portal.render(
            INTAKE, status=error_status(error), point=point, step='phone',
            phone=phone, error=error.message)
    if result.status != 'ok':
        return portal.render(
            INTAKE, status=HTTPStatus.BAD_REQUEST, point=point, step='code',
            phone=phone, masked=_masked(phone), error=portal.gettext(
                f'drop_bag.msg_code_{result.status}',
                left=result.attempts_left))
    return portal.render(
        INTAKE, point=point, step='bag', phone=phone, masked=_masked(phone),
        verification=result.verification.id, request_id=uuid.uuid4().hex,
        item_count=1)


def _done(portal, point, values, count):
    """The bag that this very request (its id and its content) accepted,
    if it won a race: the id reused with other content finds none"""
    Bag = Pool().get('drop.bag')
    request_id = values['request_id']
    with without_check_access():
        bags = Bag.search([
                ('clerk', '=', portal.web_user.id),
                ('request_id', '=', request_id),
                ]) if request_id else []
        if bags and bags[0].made_by_intake(
                point, values['phone'], values['seal'], count,
                values['comment']):
            return dict(seal=bags[0].seal, count=bags[0].item_count)


@point_route('/intake/accept', methods=['POST'])
def intake_accept(portal, point):
    "Accept the sealed bag; a repeated submit returns the same bag"
    Bag = Pool().get('drop.bag')
    form = portal.request.form
    phone = form.get('phone', '')
    values = dict(
        point=point, step='bag', phone=phone, masked=_masked(phone),
        verification=form.get('verification'), seal=form.get('seal', ''),
        item_count=form.get('item_count', ''), comment=form.get('comment', ''),
        request_id=form.get('request_id', ''))
    try:
        count = int(values['item_count'])
    except ValueError:
        count = None
    try:
        with without_check_access():
            verification = _verification(values['verification'])
            bag, _ = Bag.intake(
                point, portal.web_user, phone, verification, values['seal'],
                count, comment=values['comment'],
                request_id=values['request_id'] or None)
            done = dict(seal=bag.seal, count=bag.item_count)
    except UserError as error:
        # nothing of a refused intake is kept, the code stays usable
        Transaction().rollback()
        # unless the same request won a race: answer with its bag
        done = _done(portal, point, values, count)
        if not done:
            return portal.render(
                INTAKE, status=HTTPStatus.BAD_REQUEST, error=error.message,
                **values)
    return portal.render(
        INTAKE, point=point, step='done', masked=_masked(phone), **done)


def _masked(phone):
    "The phone of a form as the clerk sees it, nothing if it is none"
    try:
        return mask(normalize(phone))
    except PhoneError:
        return ''


def _verification(value):
    "The code's verification that a form names, if there is one"
    Verification = Pool().get('sms.verification')
    id_ = form_id(value)
    found = Verification.search([('id', '=', id_)]) if id_ else []
    return found[0] if found else None


@point_route('/bags', methods=['GET'])
def bags(portal, point):
    "The point's bags of the last days: no customer, a masked phone"
    Bag = Pool().get('drop.bag')
    days = config.getint('drop_bag', 'partner_days', default=7)
    since = dt.datetime.now() - dt.timedelta(days=days)
    records = Bag.search([
            ('drop_point', '=', point.id),
            ('accepted_at', '>=', since),
            ])
    return portal.render(
        'drop_bag/bags.html', point=point, days=days, bags=records,
        mask=mask)
