# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The partner portal shell: sessions, CSRF, language, rendering.

Other modules add screens with :func:`route` and list them on the home page
by extending ``drop.portal.screens``.
"""
import hmac
import logging
import os
import re
import secrets
import time
import uuid
from collections import namedtuple
from contextlib import contextmanager
from functools import wraps

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.utils import redirect as _redirect

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, abort, with_pool, with_transaction)
from trytond.transaction import Transaction, check_access, without_check_access
from trytond.wsgi import app

from .clock import company_time
from .words import amount_in_words

SESSION_COOKIE = 'dp_session'
CSRF_COOKIE = 'dp_csrf'
CSRF_FIELD = 'csrf_token'
LANG_COOKIE = 'dp_lang'
LANGUAGES = ('ru', 'en')
DEFAULT_LANGUAGE = 'ru'
SECURITY_HEADERS = {
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': (
        "default-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; frame-ancestors 'none'; "
        "form-action 'self'"),
    }

# PostgreSQL's integer: the largest id a Tryton record can have
MAX_ID = 2 ** 31 - 1
# the pages of errors that escaped a request
STATUS_MESSAGES = {
    HTTPStatus.NOT_FOUND: 'drop_point.msg_portal_not_found',
    HTTPStatus.SERVICE_UNAVAILABLE: 'drop_point.msg_portal_busy',
    }

Screen = namedtuple('Screen', ['name', 'path', 'description'])
logger = logging.getLogger(__name__)

_template_dirs = {}
_static_dirs = {}
_environment = None


def register_module(name, directory):
    "Make a module's templates/ and static/ folders available to the portal"
    global _environment
    # templates/<module>/*.html, named "<module>/<file>.html"
    _template_dirs[name] = os.path.join(directory, 'templates')
    _static_dirs[name] = os.path.join(directory, 'static')
    _environment = None


def static_directory(module):
    "The static/ folder of a module registered with the portal, or None"
    return _static_dirs.get(module)


def environment():
    global _environment
    if _environment is None:
        _environment = Environment(
            loader=FileSystemLoader(list(_template_dirs.values())),
            autoescape=select_autoescape(default=True),
            trim_blocks=True, lstrip_blocks=True)
    return _environment


class Portal(Model):
    __name__ = 'drop.portal'
    __string__ = "Partner Portal"

    @classmethod
    def screens(cls, web_user):
        """Return the Screens of the portal that the web user may open.

        Modules extend it to put their screens on the home page."""
        return []


class PortalRequest:
    "One request to the portal, seen from the partner's side"

    def __init__(self, request, pool):
        self.request = request
        self.pool = pool
        self.web_user = None
        self.session_key = request.cookies.get(SESSION_COOKIE)
        self.csrf_token = (
            request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32))
        self.language = self._language()
        self._cookies = {}

    @property
    def root(self):
        "Where the database's pages start: the portal, customers' links"
        return '%s/%s' % (self.request.script_root, self.pool.database_name)

    @property
    def base(self):
        return self.root + '/portal'

    def url(self, path='/'):
        return self.base + path

    def _language(self):
        lang = self.request.cookies.get(LANG_COOKIE)
        if lang in LANGUAGES:
            return lang
        return (self.request.accept_languages.best_match(LANGUAGES)
            or DEFAULT_LANGUAGE)

    def set_language(self, lang):
        if lang in LANGUAGES:
            self.language = lang
            self._cookies[LANG_COOKIE] = lang

    def csrf_valid(self):
        sent = self.request.form.get(CSRF_FIELD, '')
        cookie = self.request.cookies.get(CSRF_COOKIE, '')
        return bool(cookie) and hmac.compare_digest(
            sent.encode(), cookie.encode())

    def load_session(self):
        """Set web_user from the session cookie, if valid and allowed: the
        session's use keeps it alive"""
        WebUser = self.pool.get('web.user')
        Session = self.pool.get('web.user.session')
        if not self.session_key:
            return
        with without_check_access():
            user = WebUser.get_user(self.session_key)
            if user and user.active and user.portal_allowed:
                self.web_user = user
                Session.touch(self.session_key)

    def login(self, email, password):
        """Authenticate and open a session.

        Return the web user, None for wrong credentials, or raise
        RateLimitException after too many attempts."""
        WebUser = self.pool.get('web.user')
        with without_check_access():
            user = WebUser.authenticate(email, password)
            if user and user.portal_allowed:
                self.session_key = user.new_session()
                self._cookies[SESSION_COOKIE] = self.session_key
                self.web_user = user
        return user

    def logout(self):
        Session = self.pool.get('web.user.session')
        if self.session_key:
            with without_check_access():
                Session.remove(self.session_key)
        self._cookies[SESSION_COOKIE] = None
        self.web_user = None

    @contextmanager
    def scope(self):
        "Run as the portal user, filtered by the rules of the web user"
        pool = self.pool
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        user = ModelData.get_id('drop_point', 'user_portal')
        web_user = self.web_user.id if self.web_user else None
        companies = self._companies()
        with transaction.set_user(user), \
                transaction.set_context(
                    language=self.language, web_user=web_user,
                    remote_addr=self.request.remote_addr,
                    company=companies[0] if companies else None,
                    # a tuple, as User.get_companies gives: the rules'
                    # cache keys on it
                    _companies=tuple(companies)), \
                check_access():
            yield

    def _companies(self):
        "The companies of the web user's points; all of them for a courier"
        Company = self.pool.get('company.company')
        if not self.web_user:
            return []
        companies = {s.point.company.id for s in self.web_user.drop_points}
        if self.web_user.courier:
            with without_check_access():
                companies.update(c.id for c in Company.search([]))
        return sorted(companies)

    local = staticmethod(company_time)

    def money(self, amount, currency):
        "The amount with its currency, as the reader's language writes it"
        Lang = self.pool.get('ir.lang')
        return Lang.get(self.language).currency(
            amount, currency, symbol=True, grouping=True)

    def amount_in_words(self, amount, currency):
        return amount_in_words(amount, currency.code, self.language)

    def gettext(self, message_id, **variables):
        return gettext(message_id, **variables)

    def render(self, template, status=HTTPStatus.OK, **context):
        pool = Pool()
        Portal = pool.get('drop.portal')
        screens = Portal.screens(self.web_user) if self.web_user else []
        html = environment().get_template(template).render(
            portal=self, _=self.gettext, screens=screens, **context)
        return Response(
            html, status=status, content_type='text/html; charset=utf-8')

    def error(self, status, message_id, **variables):
        return self.render(
            'drop_point/error.html', status=status,
            message=self.gettext(message_id, **variables))

    def not_found(self):
        return self.error(
            HTTPStatus.NOT_FOUND, 'drop_point.msg_portal_not_found')

    def redirect(self, path='/'):
        return _redirect(self.url(path), code=HTTPStatus.SEE_OTHER)

    def finish(self, response):
        secure = self.request.scheme == 'https'
        options = dict(
            path=self.base, httponly=True, samesite='Lax', secure=secure)
        if self.request.cookies.get(CSRF_COOKIE) != self.csrf_token:
            # the customers' links post forms too
            response.set_cookie(
                CSRF_COOKIE, self.csrf_token,
                **dict(options, path=self.root, samesite='Strict'))
        for name, value in self._cookies.items():
            # the language is also the customers' links'
            path = self.root if name == LANG_COOKIE else self.base
            if value is None:
                response.delete_cookie(name, path=path)
            else:
                response.set_cookie(
                    name, value, max_age=self._max_age(name),
                    **dict(options, path=path))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def _max_age(self, name):
        if name == SESSION_COOKIE:
            Session = self.pool.get('web.user.session')
            return int(Session.timeout().total_seconds())
        return 365 * 24 * 60 * 60


class TokenFilter(logging.Filter):
    """Hide the tokens of customers' links in log records (the request lines
    of trytond, werkzeug and gunicorn at INFO), also URL-encoded in another
    URL's query"""
    _separator = r'(?:/|%2[fF])'
    _segment = r'[^/\s?#&%\'"]+'

    def __init__(self):
        super().__init__()
        self.patterns = {}

    def add(self, rule):
        "Hide the <token> of the werkzeug rule"
        parts = []
        for part in rule.split('<token>')[0].strip('/').split('/'):
            parts.append(
                self._segment if part.startswith('<') else re.escape(part))
        pattern = ('(' + ''.join(self._separator + p for p in parts)
            + self._separator + ')' + self._segment)
        self.patterns.setdefault(pattern, re.compile(pattern))

    def filter(self, record):
        message = text = record.getMessage()
        for pattern in self.patterns.values():
            text = pattern.sub(r'\1***', text)
        if text != message:
            record.msg, record.args = text, ()
        return True


_TOKEN_FILTER = TokenFilter()
for _logger in ['trytond.wsgi', 'werkzeug', 'gunicorn.access', __name__]:
    logging.getLogger(_logger).addFilter(_TOKEN_FILTER)
LOCK_WAITS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


def wait_locks(func):
    """Run the request's transaction again, a little later each time, while
    another request holds a lock it needs: Tryton takes its locks without
    waiting and gives up after a few quick tries (a double tap on a form,
    two payments posted in one journal at once).  503 if still held."""
    @wraps(func)
    def wrapper(request, pool, *args, **kwargs):
        for delay in LOCK_WAITS + (None,):
            try:
                return func(request, pool, *args, **kwargs)
            except backend.DatabaseOperationalError:
                if delay is None:
                    abort(HTTPStatus.SERVICE_UNAVAILABLE)
                time.sleep(delay)
    return wrapper


def error_pages(prefix):
    """Answer with the portal's own page what escaped a request: a refusal
    raised on the way (a lock held too long, a body too large) and any error
    the handler did not expect, whose traceback goes to the log only, under
    the reference the page shows"""
    def decorator(func):
        @wraps(func)
        def wrapper(request, pool, *args, **kwargs):
            try:
                return func(request, pool, *args, **kwargs)
            except HTTPException as exception:
                status = exception.code or HTTPStatus.INTERNAL_SERVER_ERROR
                if exception.response is not None or status < 400:
                    raise
                message = STATUS_MESSAGES.get(status,
                    'drop_point.msg_portal_bad_request' if status < 500
                    else 'drop_point.msg_portal_error')
                return error_page(request, pool, prefix, status, message)
            except Exception:
                reference = uuid.uuid4().hex[:12]
                logger.exception(
                    "%s %s failed, reference %s", request.method,
                    request.path, reference)
                return error_page(
                    request, pool, prefix, HTTPStatus.INTERNAL_SERVER_ERROR,
                    'drop_point.msg_portal_error', reference)
        return wrapper
    return decorator


def error_page(request, pool, prefix, status, message_id, reference=None):
    """The portal's page of an error, rendered in a transaction of its own
    (the request's was rolled back); a bare one if even that fails"""
    try:
        with Transaction().start(pool.database_name, 0, readonly=True):
            portal = PortalRequest(request, pool)
            with portal.scope():
                response = portal.render(
                    'drop_point/error.html', status=status,
                    message=portal.gettext(message_id), reference=reference)
            if prefix != '/portal':
                # a customer's link: its address is the credential
                response.headers['Referrer-Policy'] = 'no-referrer'
            return portal.finish(response)
    except Exception:
        logger.exception("the error page of reference %s failed", reference)
        response = Response(
            HTTPStatus(status).phrase, status=status,
            content_type='text/plain; charset=utf-8')
        response.headers.update(SECURITY_HEADERS)
        response.headers['Referrer-Policy'] = 'no-referrer'
        return response


def route(
        path, methods=('GET',), login_required=True, prefix='/portal',
        allow_null_origin=False):
    """Register a portal page at /<database><prefix><path>.

    The handler receives the PortalRequest and the URL's arguments and runs
    as the portal user, so record rules show it only the web user's data.
    POSTs must carry the CSRF token of the form.  allow_null_origin: the
    form is posted from a page without referrer (a customer's link), whose
    browser sends "Origin: null"; the CSRF token is still checked.  A
    <token> in the path is a credential: it is hidden in the logs.  A record
    id in the path is an <id:name> (IdConverter).  What escapes the handler
    gets the portal's page of the error (error_pages)."""
    rule = f'/<database_name>{prefix}{path}'
    if '<int:' in rule:
        raise ValueError(f"{rule}: a record id in a path is <id:name>")
    if '<token>' in rule:
        _TOKEN_FILTER.add(rule)

    def decorator(func):
        @app.route(rule, methods=list(methods))
        @with_pool
        @error_pages(prefix)
        @wait_locks
        @with_transaction()
        @wraps(func)
        def wrapper(request, pool, **kwargs):
            portal = PortalRequest(request, pool)
            portal.load_session()
            if request.method == 'POST' and not portal.csrf_valid():
                response = portal_error(
                    portal, HTTPStatus.FORBIDDEN, 'drop_point.msg_portal_csrf')
            elif (field := field_with_nul(request)) is not None:
                response = portal_error(
                    portal, HTTPStatus.BAD_REQUEST,
                    'drop_point.msg_portal_field_nul', field=field)
            elif login_required and not portal.web_user:
                response = portal.redirect('/login')
            else:
                with portal.scope():
                    response = func(portal, **kwargs)
            return portal.finish(response)
        wrapper.allow_null_origin = allow_null_origin
        return wrapper
    return decorator


def point_route(path, methods=('GET',)):
    """A screen of one of the web user's points, at /point/<id><path>: the
    handler gets the point; record rules make the others "not found" """
    def decorator(func):
        @route(f'/point/<id:point_id>{path}', methods=methods)
        @wraps(func)
        def wrapper(portal, point_id, **kwargs):
            Point = Pool().get('drop.point')
            points = Point.search([('id', '=', point_id)])
            if not points:
                return portal.not_found()
            return func(portal, points[0], **kwargs)
        return wrapper
    return decorator


def form_id(value):
    """The record id that a form's field holds, else None: the ASCII digits
    of an id a record can have (int() also takes '٣', ' 7', '1_000', and
    PostgreSQL's or SQLite's integer refuse a larger number)"""
    if value and ID_PATTERN.fullmatch(value):
        return int(value)


def _numbers_up_to(maximum):
    """A regular expression of the decimal numbers from 1 to maximum,
    without leading zeros: shorter numbers, then maximum's own length with a
    smaller digit at one place and any digits after it"""
    top = str(maximum)
    parts = [f'[1-9][0-9]{{0,{len(top) - 2}}}'] if len(top) > 1 else []
    for i, digit in enumerate(top):
        low = '1' if i == 0 else '0'
        if digit > low:
            parts.append(f'{top[:i]}[{low}-{int(digit) - 1}]'
                f'[0-9]{{{len(top) - i - 1}}}')
    parts.append(top)
    return '(?:' + '|'.join(parts) + ')'


ID_PATTERN = re.compile(_numbers_up_to(MAX_ID))


class IdConverter(IntegerConverter):
    """<id:name> in a route's path: a record's id, 1 to MAX_ID.  Anything
    else does not match the route, and gets the portal's "not found" page
    from its catch-all route, before the database sees it (SQLite cannot
    even compare a number past 2^63 - 1)"""
    regex = ID_PATTERN.pattern

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


app.url_map.converters['id'] = IdConverter


def error_status(error):
    "The HTTP status of a refused request: the error's own, else 400"
    return getattr(error, 'http_status', HTTPStatus.BAD_REQUEST)


def portal_error(portal, status, message_id, **variables):
    with portal.scope():
        return portal.error(status, message_id, **variables)


def field_with_nul(request):
    """The first field of the request whose value holds a NUL character:
    no form sends one, and PostgreSQL refuses it in text"""
    for name, value in request.values.items(multi=True):
        if '\x00' in value:
            return name


__all__ = [
    'Portal', 'PortalRequest', 'Screen', 'route', 'point_route', 'form_id',
    'register_module', 'static_directory', 'error_status', 'wait_locks',
    'MAX_ID', 'IdConverter']
