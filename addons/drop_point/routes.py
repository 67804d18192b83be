# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import os

from werkzeug.utils import redirect, send_from_directory

from trytond.exceptions import RateLimitException
from trytond.model import fields
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus, abort
from trytond.transaction import without_check_access
from trytond.wsgi import app

from . import portal as portal_
from .portal import point_route, route

portal_.register_module('drop_point', os.path.dirname(__file__))

LOGIN_TEMPLATE = 'drop_point/login.html'


@app.route('/<database_name>/portal/static/<module>/<path:filename>')
def static(request, database_name, module, filename):
    directory = portal_.static_directory(module)
    if not directory:
        abort(HTTPStatus.NOT_FOUND)
    return send_from_directory(
        directory, filename, request.environ, max_age=60 * 60)


@route('/login', methods=['GET', 'POST'], login_required=False)
def login(portal):
    if portal.request.method == 'GET':
        if portal.web_user:
            return portal.redirect('/')
        return portal.render(LOGIN_TEMPLATE)
    email = portal.request.form.get('email', '').strip()
    password = portal.request.form.get('password', '')
    if not email or not password:
        return _login_error(
            portal, HTTPStatus.BAD_REQUEST, 'msg_portal_login_missing', email)
    if any(c in email for c in fields.Char.forbidden_chars):
        # no address holds them, nor may the attempts' counter keep them
        return _login_error(
            portal, HTTPStatus.BAD_REQUEST, 'msg_portal_login_email_invalid',
            email)
    try:
        user = portal.login(email, password)
    except RateLimitException:
        return _login_error(
            portal, HTTPStatus.TOO_MANY_REQUESTS, 'msg_portal_login_locked',
            email)
    if not user:
        return _login_error(
            portal, HTTPStatus.UNAUTHORIZED, 'msg_portal_login_wrong', email)
    if not portal.web_user:
        return _login_error(
            portal, HTTPStatus.FORBIDDEN, 'msg_portal_login_no_access', email)
    return portal.redirect('/')


def _login_error(portal, status, message, email):
    # answer instead of aborting so that the attempt counter is committed
    return portal.render(
        LOGIN_TEMPLATE, status=status, email=email,
        error=portal.gettext('drop_point.' + message))


@route('/logout', methods=['POST'])
def logout(portal):
    portal.logout()
    return portal.redirect('/login')


# also on customers' links, whose pages send no referrer: "Origin: null"
@route('/lang', methods=['POST'], login_required=False,
    allow_null_origin=True)
def language(portal):
    portal.set_language(portal.request.form.get('lang'))
    next_ = portal.request.form.get('next', '')
    # a line break would end the redirection's header
    if not next_.startswith(portal.root + '/') or not next_.isprintable():
        next_ = portal.base + '/'
    return redirect(next_, code=HTTPStatus.SEE_OTHER)


@route('/')
def home(portal):
    Staff = Pool().get('drop.point.staff')
    staff = Staff.search([('web_user', '=', portal.web_user.id)])
    return portal.render('drop_point/home.html', staff=staff)


@route('/point/<id:point_id>')
def point(portal, point_id):
    pool = Pool()
    Point = pool.get('drop.point')
    Staff = pool.get('drop.point.staff')
    points = Point.search([('id', '=', point_id)])
    if not points:
        return portal.not_found()
    point, = points
    colleagues = Staff.search([('point', '=', point.id)])
    return portal.render(
        'drop_point/point.html', point=point, colleagues=colleagues,
        manager=_manager(portal, point))


@point_route('/sign-out-all', methods=['POST'])
def sign_out_all(portal, point):
    """The point's manager ends every session of the point's staff, on every
    device (a shared counter's too), their own included"""
    Session = Pool().get('web.user.session')
    if not _manager(portal, point):
        return portal.not_found()
    with without_check_access():
        Session.end_staff_sessions([point])
    portal.logout()
    return portal.redirect('/login')


def _manager(portal, point):
    "Whether the portal's user manages the point"
    Staff = Pool().get('drop.point.staff')
    return bool(Staff.search([
                ('point', '=', point.id),
                ('web_user', '=', portal.web_user.id),
                ('role', '=', 'manager'),
                ]))


@route('/<path:rest>', methods=['GET', 'POST'], login_required=False)
def unknown(portal, rest):
    """Any other address under the portal, an id past what a record can have
    included: the portal's own "not found" page"""
    return portal.not_found()
