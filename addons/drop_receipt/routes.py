# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The issue at the point: the clerk finds the customer's bag by its seal or
the phone's last 4 digits, sees whether it is paid, takes the payment if not,
and hands it out with a code the customer reads out."""
import os
import re
import uuid

from trytond.exceptions import UserError
from trytond.modules.drop_bag.bag import normalize_seal
from trytond.modules.drop_point import portal as portal_
from trytond.modules.drop_point.portal import error_status, point_route
from trytond.modules.sms.phone import mask
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus
from trytond.transaction import Transaction, without_check_access

from . import handwriting

portal_.register_module('drop_receipt', os.path.dirname(__file__))

SEARCH = 'drop_receipt/issue.html'
BAG = 'drop_receipt/issue_bag.html'


def _find(point, query):
    """The point's bags waiting for their customer, by the seal or by the
    last 4 digits of the phone; None when the query is neither"""
    Bag = Pool().get('drop.bag')
    domain = [('drop_point', '=', point.id), ('state', '=', 'at_point')]
    digits = re.sub(r'\D', '', query)
    if re.fullmatch(r'[\s\-]*\d{4}[\s\-]*', query):
        return Bag.search(domain + [('phone', 'like', f'%{digits}')])
    seal = normalize_seal(query)
    if len(seal) >= 6:
        return Bag.search(domain + [('seal', '=', seal)])
    return None


@point_route('/issue', methods=['GET'])
def issue_search(portal, point):
    return portal.render(SEARCH, point=point, query='')


@point_route('/issue', methods=['POST'])
def issue_find(portal, point):
    query = portal.request.form.get('query', '').strip()
    bags = _find(point, query)
    if bags is None:
        return portal.render(
            SEARCH, status=HTTPStatus.BAD_REQUEST, point=point, query=query,
            error=portal.gettext('drop_receipt.msg_issue_query'))
    if len(bags) == 1:
        return portal.redirect(f'/point/{point.id}/issue/{bags[0].id}')
    with without_check_access():
        rows = [(b, b.amount_due) for b in bags]
        return portal.render(
            SEARCH, point=point, query=query, rows=rows, mask=mask,
            searched=True)


def _bag(point, bag_id):
    "The point's bag, at the point or issued, through the record rules"
    Bag = Pool().get('drop.bag')
    bags = Bag.search([
            ('id', '=', bag_id), ('drop_point', '=', point.id),
            ('state', 'in', ['at_point', 'issued']),
            ])
    return bags[0] if bags else None


def _render(portal, point, bag, status=HTTPStatus.OK, **values):
    with without_check_access():
        return portal.render(
            BAG, status=status, point=point, bag=bag, due=bag.amount_due,
            order=bag.order, masked=mask(bag.phone),
            request_id=uuid.uuid4().hex, **values)


def _purpose(bag):
    "A code hands out one bag only"
    return f'issue:{bag.id}'


@point_route('/issue/<id:bag_id>', methods=['GET'])
def issue_bag(portal, point, bag_id):
    bag = _bag(point, bag_id)
    if not bag:
        return portal.not_found()
    return _render(portal, point, bag)


@point_route('/issue/<id:bag_id>/pay', methods=['POST'])
def issue_pay(portal, point, bag_id):
    "The customer pays at the point, in cash or by card"
    Collection = Pool().get('drop.bag.collection')
    bag = _bag(point, bag_id)
    if not bag:
        return portal.not_found()
    form = portal.request.form
    try:
        with without_check_access():
            Collection.collect(
                bag, portal.web_user, form.get('method', ''),
                request_id=form.get('request_id') or None)
    except UserError as error:
        Transaction().rollback()
        return _render(
            portal, point, bag, status=HTTPStatus.BAD_REQUEST,
            error=error.message)
    return portal.redirect(f'/point/{point.id}/issue/{bag.id}')


@point_route('/issue/<id:bag_id>/code', methods=['POST'])
def issue_code(portal, point, bag_id):
    "Send the customer the code that confirms the issue"
    pool = Pool()
    Bag = pool.get('drop.bag')
    Verification = pool.get('sms.verification')
    bag = _bag(point, bag_id)
    if not bag or bag.state != 'at_point':
        return portal.not_found()
    try:
        with without_check_access():
            Verification.issue(
                bag.phone, _purpose(bag), Bag.code_sender(portal.web_user),
                language=bag.customer_language)
    except UserError as error:
        Transaction().rollback()
        status = error_status(error)
        return _render(portal, point, bag, status=status, error=error.message)
    return _render(portal, point, bag, code_sent=True)


@point_route('/issue/<id:bag_id>/confirm', methods=['POST'])
def issue_confirm(portal, point, bag_id):
    "The customer read the code out: the bag is handed out, if paid"
    Verification = Pool().get('sms.verification')
    bag = _bag(point, bag_id)
    if not bag:
        return portal.not_found()
    if bag.state == 'issued':
        return _render(portal, point, bag)
    with without_check_access():
        result = Verification.check(
            bag.phone, _purpose(bag), portal.request.form.get('code', ''))
        if result.status != 'ok':
            return _render(
                portal, point, bag, status=HTTPStatus.BAD_REQUEST,
                code_sent=True, error=portal.gettext(
                    f'drop_bag.msg_code_{result.status}',
                    left=result.attempts_left))
        return _hand_out(portal, point, bag, 'code')


@point_route('/issue/<id:bag_id>/handwriting', methods=['POST'])
def issue_handwriting(portal, point, bag_id):
    """The customer signed on the clerk's screen: the bag is handed out, if
    paid, and the signature kept with it"""
    bag = _bag(point, bag_id)
    if not bag:
        return portal.not_found()
    if bag.state == 'issued':
        return _render(portal, point, bag)
    with without_check_access():
        try:
            content = handwriting.decode(
                portal.request.form.get('signature', ''))
        except UserError as error:
            return _render(
                portal, point, bag, status=HTTPStatus.BAD_REQUEST,
                handwriting=True, error=error.message)
        return _hand_out(
            portal, point, bag, 'handwriting',
            keep=lambda bag: handwriting.attach(bag, content),
            handwriting=True)


def _hand_out(portal, point, bag, confirmation, keep=None, **values):
    """Hand the bag out as the customer confirmed, then keep the proof;
    a refusal (not paid) changes nothing and says why"""
    Bag = Pool().get('drop.bag')
    try:
        Bag.lock([bag])
        bag = Bag(bag.id)
        Bag.hand_out([bag], confirmation)
        if keep:
            keep(bag)
    except UserError as error:
        Transaction().rollback()
        return _render(
            portal, point, Bag(bag.id), status=HTTPStatus.BAD_REQUEST,
            error=error.message, **values)
    return _render(portal, point, Bag(bag.id))
