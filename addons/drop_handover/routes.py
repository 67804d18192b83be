# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The portal's handover screens: the clerk hands the point's bags to a
courier, the courier delivers them (to the factory, or back to a point), the
taker of an act confirms it by ticking the bags it holds; and the read-only
page of a printed act."""
import os
import uuid
from collections import defaultdict

from trytond.exceptions import UserError
from trytond.modules.drop_bag.bag import normalize_seal
from trytond.modules.drop_point import portal as portal_
from trytond.modules.drop_point.portal import (
    error_status, form_id, point_route, route)
from trytond.modules.sms.phone import mask
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus
from trytond.transaction import Transaction, without_check_access

portal_.register_module('drop_handover', os.path.dirname(__file__))

HANDOVER = 'drop_handover/handover.html'
ACT = 'drop_handover/portal_act.html'
COURIER = 'drop_handover/courier.html'


@route('/<act_id>/<token>', login_required=False, prefix='/act')
def act(portal, act_id, token):
    "The read-only page of a printed act, behind the link of its QR code"
    Handover = Pool().get('drop.handover')
    # the token is the only credential: no access rule applies
    with without_check_access():
        record = Handover.from_verification(form_id(act_id), token)
        response = portal.render(
            'drop_handover/act.html',
            status=HTTPStatus.OK if record else HTTPStatus.NOT_FOUND,
            act=record)
    # never leak the token to another site
    response.headers['Referrer-Policy'] = 'no-referrer'
    return response


def _waiting(point):
    "The bags the point holds, oldest first: those a courier may take"
    Bag = Pool().get('drop.bag')
    with without_check_access():
        return Bag.search([
                ('drop_point', '=', point.id),
                ('custodian', '=', point.location.storage_location.id),
                ('state', 'in', ['accepted', 'in_transit']),
                ], order=[('accepted_at', 'ASC'), ('id', 'ASC')])


def _couriers():
    WebUser = Pool().get('web.user')
    with without_check_access():
        return WebUser.search(
            [('courier', '=', True)], order=[('email', 'ASC')])


def _render_handover(portal, point, status=HTTPStatus.OK, **values):
    return portal.render(
        HANDOVER, status=status, point=point, bags=_waiting(point),
        couriers=_couriers(), request_id=uuid.uuid4().hex, **values)


@point_route('/handover', methods=['GET'])
def handover_start(portal, point):
    "The point's bags, to tick for the courier who takes them"
    return _render_handover(portal, point, chosen=set())


@point_route('/handover', methods=['POST'])
def handover(portal, point):
    "Hand the ticked bags over to the courier: the act is sent"
    pool = Pool()
    Handover = pool.get('drop.handover')
    WebUser = pool.get('web.user')
    form = portal.request.form
    request_id = form.get('request_id') or None
    # a repeated submit finds the act its first one made
    act = _by_request(request_id)
    if act:
        return portal.redirect(f'/acts/{act.id}')
    bags = {b.id: b for b in _waiting(point)}
    by_seal = {b.seal: b for b in bags.values()}
    chosen = set(map(form_id, form.getlist('bag'))) - {None}
    values = dict(chosen=chosen, courier_id=form.get('courier', ''))

    def refuse(message_id, **variables):
        return _render_handover(
            portal, point, status=HTTPStatus.BAD_REQUEST,
            error=portal.gettext(message_id, **variables), **values)

    for seal in filter(None, map(normalize_seal, form.getlist('seal'))):
        if seal not in by_seal:
            return refuse(
                'drop_handover.msg_portal_seal_not_waiting', seal=seal,
                point=point.code)
        chosen.add(by_seal[seal].id)
    if not chosen <= set(bags):
        return refuse('drop_handover.msg_portal_bag_not_waiting')
    if not chosen:
        return refuse('drop_handover.msg_portal_no_bags')
    couriers = {c.id: c for c in _couriers()}
    courier = couriers.get(form_id(values['courier_id']))
    if not courier:
        return refuse('drop_handover.msg_portal_no_courier')
    try:
        with without_check_access():
            location, = WebUser.custody_locations([courier])
            act = Handover.hand_over(
                point.location.storage_location, location,
                [bags[i] for i in sorted(chosen)], 'to_factory',
                drop_point=point, courier=courier, request_id=request_id)
    except UserError as error:
        Transaction().rollback()
        act = _by_request(request_id)
        if not act:
            return _render_handover(
                portal, point, status=HTTPStatus.BAD_REQUEST,
                error=error.message, **values)
    return portal.redirect(f'/acts/{act.id}')


def _by_request(request_id):
    "The act a repeated submit already made, if any"
    Handover = Pool().get('drop.handover')
    if not request_id:
        return None
    with without_check_access():
        acts = Handover.search([('request_id', '=', request_id)], limit=1)
    return acts[0] if acts else None


def _portal_act(portal, act_id):
    "The act, if the portal user is a side of it (record rules)"
    Handover = Pool().get('drop.handover')
    acts = Handover.search([('id', '=', act_id)], limit=1)
    return acts[0] if acts else None


def _giver(act, web_user):
    "Whether the portal user is on the giving side of the act"
    if act.courier and act.from_location == act.courier.custody_location:
        return act.courier == web_user
    return bool(act.drop_point) and (
        act.from_location == act.drop_point.location.storage_location
        and web_user in {s.web_user for s in act.drop_point.staff})


def _courier_phone(act):
    courier = act.courier
    if courier and courier.party:
        mechanism = courier.party.contact_mechanism_get({'mobile', 'phone'})
        if mechanism:
            return mechanism.value
    return None


def _render_act(portal, act, status=HTTPStatus.OK, **values):
    with without_check_access():
        taker = act.state == 'sent' and act.taken_by(portal.web_user.id)
        giver = _giver(act, portal.web_user)
        phone = _courier_phone(act) if giver else None
        discrepancies = [d for l in act.lines for d in l.discrepancies]
        return portal.render(
            ACT, status=status, act=act, taker=taker, giver=giver,
            code_phone=mask(phone) if phone else None,
            discrepancies=discrepancies, **values)


@route('/acts/<id:act_id>', methods=['GET'])
def portal_act(portal, act_id):
    "An act of the portal user: to confirm if they take it, else to see"
    act = _portal_act(portal, act_id)
    if not act:
        return portal.not_found()
    return _render_act(portal, act)


@route('/acts/<id:act_id>/take', methods=['POST'])
def take(portal, act_id):
    """The taker confirms the act: unticked bags are missing, ticked ones may
    have a broken seal, seals not on the act came with it (the model moves
    only those the giver holds)"""
    Handover = Pool().get('drop.handover')
    act = _portal_act(portal, act_id)
    if not act:
        return portal.not_found()
    form = portal.request.form
    lines = {str(l.bag.id): l.bag for l in act.lines if l.bag}
    present = {lines[i] for i in form.getlist('present') if i in lines}
    broken = {lines[i] for i in form.getlist('broken') if i in lines}
    missing = set(lines.values()) - present
    # seals typed or scanned: those on the act are there, the others extra
    typed = form.getlist('extra') + form.getlist('seal')
    seals = [normalize_seal(s)
        for s in ' '.join(typed).replace(',', ' ').split()]
    on_act = {b.seal: b for b in lines.values()}
    present |= {on_act[s] for s in seals if s in on_act}
    missing -= present
    with without_check_access():
        try:
            Handover.take(
                act, missing=missing, broken=broken & present,
                seals=[s for s in seals if s not in on_act])
        except UserError as error:
            Transaction().rollback()
            act = Handover(act.id)
            # a repeated submit finds the act already confirmed
            if act.state != 'done':
                return _render_act(
                    portal, act, status=HTTPStatus.BAD_REQUEST,
                    error=error.message)
    return portal.redirect(f'/acts/{act.id}')


@route('/acts/<id:act_id>/code', methods=['POST'])
def courier_code(portal, act_id):
    "At the clerk's device: send the courier a one-time code for the act"
    pool = Pool()
    Bag = pool.get('drop.bag')
    Verification = pool.get('sms.verification')
    act = _portal_act(portal, act_id)
    if not act or act.state != 'sent' or not _giver(act, portal.web_user):
        return portal.not_found()
    with without_check_access():
        phone = _courier_phone(act)
    if not phone:
        return portal.not_found()
    try:
        with without_check_access():
            Verification.issue(
                phone, _purpose(act), Bag.code_sender(portal.web_user),
                language=act.courier.party.lang.code
                if act.courier.party.lang else None)
    except UserError as error:
        Transaction().rollback()
        status = error_status(error)
        return _render_act(portal, act, status=status, error=error.message)
    return _render_act(portal, act, code_sent=True)


def _purpose(act):
    "A code confirms one act only"
    return f'handover:{act.id}'


@route('/acts/<id:act_id>/verify', methods=['POST'])
def courier_verify(portal, act_id):
    "The courier reads out the code: the act is confirmed on their behalf"
    pool = Pool()
    Handover = pool.get('drop.handover')
    Verification = pool.get('sms.verification')
    act = _portal_act(portal, act_id)
    if not act or not _giver(act, portal.web_user):
        return portal.not_found()
    if act.state == 'done':
        return portal.redirect(f'/acts/{act.id}')
    with without_check_access():
        phone = _courier_phone(act)
        result = Verification.check(
            phone or '', _purpose(act), portal.request.form.get('code', ''))
        if result.status != 'ok':
            return _render_act(
                portal, act, status=HTTPStatus.BAD_REQUEST, code_sent=True,
                error=portal.gettext(
                    f'drop_bag.msg_code_{result.status}',
                    left=result.attempts_left))
        with Transaction().set_context(
                web_user=act.courier.id, handover_channel='code'):
            try:
                Handover.take(act)
            except UserError as error:
                Transaction().rollback()
                if Handover(act.id).state != 'done':
                    return _render_act(
                        portal, act, status=HTTPStatus.BAD_REQUEST,
                        error=error.message)
    return portal.redirect(f'/acts/{act.id}')


@point_route('/acts', methods=['GET'])
def point_acts(portal, point):
    "The point's acts: open ones first, then those of the last days"
    Handover = Pool().get('drop.handover')
    acts = Handover.search([
            ('drop_point', '=', point.id),
            ], order=[('state', 'DESC'), ('date', 'DESC'), ('id', 'DESC')],
        limit=50)
    with without_check_access():
        return portal.render(
            'drop_handover/point_acts.html', point=point,
            acts=Handover.browse(acts))


def _destinations(bags):
    """The courier's bags by where they go: to their point's factory while
    on the way there, back to their point when returning"""
    groups = defaultdict(list)
    for bag in bags:
        if bag.state == 'returning':
            groups[('point', bag.drop_point.id)].append(bag)
        else:
            groups[('factory', bag.drop_point.warehouse.id)].append(bag)
    return groups


def _courier_bags(portal):
    "The bags the courier holds (record rules), longest held first"
    Bag = Pool().get('drop.bag')
    bags = Bag.search([('holder', '=', portal.web_user.id)])
    with without_check_access():
        bags = Bag.browse(bags)
        return sorted(bags, key=lambda b: (b.held_since, b.id))


def _free(bags):
    "The bags on no open act: those of an act to confirm wait for it"
    Line = Pool().get('drop.handover.line')
    with without_check_access():
        pending = {l.bag for l in Line.search([
                    ('bag', 'in', [b.id for b in bags]),
                    ('open', '=', True),
                    ])}
    return [b for b in bags if b not in pending]


def _render_courier(portal, status=HTTPStatus.OK, **values):
    pool = Pool()
    Handover = pool.get('drop.handover')
    Location = pool.get('stock.location')
    Point = pool.get('drop.point')
    bags = _courier_bags(portal)
    location = portal.web_user.custody_location
    to_take = Handover.search([
            ('courier', '=', portal.web_user.id),
            ('state', '=', 'sent'),
            ('to_location', '=', location.id if location else -1),
            ])
    # the courier is no staff of the points: their names are read for them
    with without_check_access():
        groups = []
        for (kind, id_), group in sorted(
                _destinations(_free(bags)).items()):
            name = (Point(id_).rec_name if kind == 'point'
                else Location(id_).name)
            groups.append((f'{kind}-{id_}', kind, name, group))
        return portal.render(
            COURIER, status=status, bags=bags, groups=groups,
            to_take=Handover.browse(to_take), request_id=uuid.uuid4().hex,
            **values)


@route('/courier', methods=['GET'])
def courier(portal):
    "The courier's bags: what they hold, from which points, since when"
    if not portal.web_user.courier:
        return portal.not_found()
    return _render_courier(portal)


@route('/courier/deliver', methods=['POST'])
def deliver(portal):
    "The courier hands the ticked bags of one destination over: act sent"
    pool = Pool()
    Handover = pool.get('drop.handover')
    Location = pool.get('stock.location')
    Point = pool.get('drop.point')
    WebUser = pool.get('web.user')
    if not portal.web_user.courier:
        return portal.not_found()
    form = portal.request.form
    request_id = form.get('request_id') or None
    act = _by_request(request_id)
    if act:
        return portal.redirect(f'/acts/{act.id}')
    bags = _free(_courier_bags(portal))
    with without_check_access():
        groups = _destinations(bags)
    kind, _, id_ = form.get('destination', '').partition('-')
    group = groups.get((kind, form_id(id_)))
    chosen = set(map(form_id, form.getlist('bag'))) - {None}
    if not group:
        return _render_courier(
            portal, status=HTTPStatus.BAD_REQUEST, error=portal.gettext(
                'drop_handover.msg_portal_no_destination'))
    chosen = [b for b in group if b.id in chosen]
    if not chosen:
        return _render_courier(
            portal, status=HTTPStatus.BAD_REQUEST, error=portal.gettext(
                'drop_handover.msg_portal_no_bags'))
    try:
        with without_check_access():
            location, = WebUser.custody_locations([portal.web_user])
            if kind == 'point':
                point = Point(int(id_))
                to, direction = point.location.storage_location, 'to_point'
            else:
                points = {b.drop_point for b in chosen}
                point = points.pop() if len(points) == 1 else None
                to = Location(int(id_)).storage_location
                direction = 'to_factory'
            act = Handover.hand_over(
                location, to, chosen, direction, drop_point=point,
                courier=portal.web_user, request_id=request_id)
    except UserError as error:
        Transaction().rollback()
        act = _by_request(request_id)
        if not act:
            return _render_courier(
                portal, status=HTTPStatus.BAD_REQUEST, error=error.message)
    return portal.redirect(f'/acts/{act.id}')
