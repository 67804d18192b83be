# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The portal as a script sees it: one client for the scenarios, the
end-to-end and reliability tests and the bench.

A :class:`PortalClient` signs in, keeps its cookies and posts forms with the
CSRF token of its ``dp_csrf`` cookie, over one of two transports:

- :meth:`PortalClient.wsgi`: trytond's WSGI application in this process
  (werkzeug's test client), for the scenarios;
- :meth:`PortalClient.http`: a running server over HTTP (urllib with a
  cookie jar), for the tests in ``tests/`` and the bench.

Every answer is a :class:`Page`, whatever its status (a 4xx or 5xx answer is
a page, not an exception), with its ``status``, ``headers``, ``text`` and
``content`` (bytes), which reads its forms as a browser would submit
them, follows its redirect or a link, and submits a form.

Paths are the server's own (``/<database>/portal/login``, a ``Location``
header, a link's ``href``), full URLs, or paths under the database
(``/portal/login``, ``/bag/<token>``), or under ``prefix`` if the client was
made with one (``prefix='/portal'``: ``/login``).

:func:`newest_message` and :func:`newest_code` read the text messages the
``outbox`` provider writes (``sms-outbox.jsonl``: one JSON object a line,
with ``phone`` and ``text``)."""
import http.cookiejar
import io
import json
import pathlib
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http import HTTPStatus

CSRF_COOKIE = 'dp_csrf'
CSRF_FIELD = 'csrf_token'
CODE = re.compile(r'\b\d{6}\b')
# inputs a browser never submits as a field of the form
NOT_SUBMITTED = {'submit', 'image', 'button', 'reset', 'file'}


class PortalClient:
    "A browser of the portal and of the customers' links, as a script"

    def __init__(self, transport, database, prefix=''):
        self.transport = transport
        self.root = f'/{database}'
        self.prefix = prefix

    @classmethod
    def wsgi(cls, database, language=None, environ=None, app=None,
            follow_redirects=False, prefix=''):
        """A client of the WSGI application in this process (trytond's by
        default); environ: the WSGI environment of each request, such as
        the device's REMOTE_ADDR"""
        return cls(WSGITransport(
                app, _headers(language), environ, follow_redirects),
            database, prefix)

    @classmethod
    def http(cls, url, database, language=None, follow_redirects=True,
            prefix='', timeout=300):
        "A client of the server at url (http://host:port)"
        return cls(HTTPTransport(
                url, _headers(language), follow_redirects, timeout),
            database, prefix)

    @property
    def csrf_token(self):
        "The token the portal's forms carry: its cookie's value, or None"
        return self.transport.cookie(CSRF_COOKIE, self.root)

    def url(self, path):
        "The server's path (or the full URL) of the path"
        if path.startswith(('http://', 'https://', self.root + '/')):
            return path
        return self.root + self.prefix + path

    def get(self, path, headers=None):
        return self.transport.request('GET', self.url(path), None, headers,
            self)

    def post(self, path, data=None, csrf=True, headers=None, **fields):
        """Post a form of data and fields (fields win), with the CSRF token
        unless csrf is false or the form has its own; a value may be a
        list, for a field sent several times"""
        token = self.csrf_token if csrf else None
        form = {CSRF_FIELD: token} if token else {}
        form.update(data or {})
        form.update(fields)
        return self.transport.request('POST', self.url(path), form, headers,
            self)

    def login(self, email, password):
        """Open the login page and sign in: the page of the answer (303 to
        the home page, or the login page again with 401 or 429)"""
        login = self.root + '/portal/login'
        self.get(login)
        return self.post(login, email=email, password=password)


class Page:
    """A server's answer: status, headers, content (bytes) and text, and
    what it shows"""

    def __init__(self, client, url, status, headers, content):
        self.client = client
        self.url = url
        self.status = status
        self.headers = headers
        self.content = content
        self.text = content.decode(errors='replace')
        self._parsed = None

    def __repr__(self):
        return f'<Page {self.status} {self.url}>'

    def checked(self):
        "The page, unless it answers an error (4xx, 5xx): then HTTPError"
        if self.status >= 400:
            raise urllib.error.HTTPError(self.url, self.status,
                HTTPStatus(self.status).phrase, self.headers,
                io.BytesIO(self.content))
        return self

    @property
    def parsed(self):
        if self._parsed is None:
            self._parsed = _Parser.parse(self.text)
        return self._parsed

    def form(self, id=None):
        """The values the form would submit: a value, or a list of those of
        a field sent several times.

        id: the form's, or that of an element of it, such as the button the
        user presses (then its own name and value too); None: the first
        form in the page's <main>, else its first form"""
        return _values(self._form(id).fields(id))

    def submit(self, id=None, **fields):
        "Submit the form as read (see form), with these fields changed"
        form = self._form(id)
        values = dict(_values(form.fields(id)), **fields)
        action = urllib.parse.urljoin(self.url, form.action or self.url)
        if form.method == 'post':
            return self.client.post(action, values, csrf=False)
        query = urllib.parse.urlencode(values, doseq=True)
        return self.client.get(action.split('?', 1)[0] + '?' + query)

    def follow(self, text=None):
        """Open the redirect's Location, or the first link whose text holds
        text"""
        if text is None:
            href = self.headers.get('Location')
            if not href:
                raise LookupError(f"{self} redirects nowhere")
        else:
            href = next((h for h, t in self.parsed.links if text in t), None)
            if href is None:
                raise LookupError(f"no link {text!r} on {self}")
        return self.client.get(urllib.parse.urljoin(self.url, href))

    def _form(self, id):
        forms = self.parsed.forms
        if id is None:
            found = [f for f in forms if f.main] or forms
        else:
            found = [f for f in forms if id in f.ids]
        if not found:
            raise LookupError(f"no form {id or ''} on {self}")
        return found[0]


def newest_message(outbox, phone=None):
    """The newest text message of the outbox file (to the phone if given),
    as its JSON object; None if there is none"""
    path = pathlib.Path(outbox)
    if not path.exists():
        return None
    # a line being written ends without its newline yet
    lines = path.read_text().split('\n')[:-1]
    for line in reversed(lines):
        message = json.loads(line)
        if phone is None or message['phone'] == phone:
            return message
    return None


def code_of(message):
    "The 6-digit one-time code in a text message"
    found = CODE.search(message['text'])
    if not found:
        raise LookupError(f"no code in {message['text']!r}")
    return found[0]


def newest_code(outbox, phone=None):
    "The code in the newest text message of the outbox (to the phone)"
    message = newest_message(outbox, phone)
    if message is None:
        raise LookupError(f"no text message to {phone or 'anyone'} "
            f"in {outbox}")
    return code_of(message)


class WSGITransport:
    "Requests to a WSGI application through werkzeug's test client"

    def __init__(self, app=None, headers=None, environ=None,
            follow_redirects=False):
        from werkzeug.test import Client
        if app is None:
            from trytond.wsgi import app
        self.client = Client(app)
        self.headers = headers or {}
        self.environ = environ or {}
        self.follow_redirects = follow_redirects

    def request(self, method, url, form, headers, client):
        parts = urllib.parse.urlsplit(url)
        path = parts.path + (f'?{parts.query}' if parts.query else '')
        response = self.client.open(
            path, method=method, data=form,
            headers={**self.headers, **(headers or {})},
            environ_base=self.environ,
            follow_redirects=self.follow_redirects)
        return Page(client, response.request.full_path.rstrip('?'),
            response.status_code, response.headers, response.data)

    def cookie(self, name, path):
        cookie = self.client.get_cookie(name, path=path)
        return cookie.value if cookie else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    "A redirect is the answer (a browser sends no Origin header after it)"

    def redirect_request(self, *args, **kwargs):
        return None


class HTTPTransport:
    """Requests to a server over HTTP, with a cookie jar; opener.addheaders
    are the headers of every request"""

    def __init__(self, url, headers=None, follow_redirects=True, timeout=300):
        self.origin = url
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not follow_redirects:
            handlers.append(NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)
        self.opener.addheaders = list((headers or {}).items())
        self.timeout = timeout

    def request(self, method, url, form, headers, client):
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
        request = urllib.request.Request(
            urllib.parse.urljoin(self.origin, url), data=body,
            headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                return Page(client, answer.url, answer.status,
                    answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            return Page(client, error.filename, error.code, error.headers,
                error.read())

    def cookie(self, name, path):
        return next((c.value for c in self.jar
                if c.name == name and c.path == path), None)


def _headers(language):
    return {'Accept-Language': language} if language else {}


def _values(pairs):
    values = {}
    for name, value in pairs:
        if name in values:
            if not isinstance(values[name], list):
                values[name] = [values[name]]
            values[name].append(value)
        else:
            values[name] = value
    return values


class _Form:
    def __init__(self, attrs, main):
        self.action = attrs.get('action') or ''
        self.method = (attrs.get('method') or 'get').lower()
        self.main = main
        self.ids = {attrs['id']} if attrs.get('id') else set()
        self.pairs = []
        self.buttons = {}

    def fields(self, id=None):
        "The fields submitted by pressing the button id (or none)"
        return self.pairs + ([self.buttons[id]] if id in self.buttons else [])


class _Parser(HTMLParser):
    "The forms and links of a page"

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links = [], []
        self._main = 0
        self._form = self._link = self._text = None
        # a select's name, whether multiple, its options as [value, selected]
        self._select = self._option = None

    @classmethod
    def parse(cls, text):
        parser = cls()
        parser.feed(text)
        parser.close()
        return parser

    def handle_starttag(self, tag, attrs):
        attrs = {k: '' if v is None else v for k, v in attrs}
        if tag == 'main':
            self._main += 1
        elif tag == 'a' and 'href' in attrs:
            self._link = [attrs['href'], '']
            self.links.append(self._link)
        elif tag == 'form':
            self._form = _Form(attrs, self._main > 0)
            self.forms.append(self._form)
        elif tag == 'option' and self._select:
            self._option = [attrs.get('value'), 'selected' in attrs, '']
            self._select[2].append(self._option)
        elif self._form is not None:
            if attrs.get('id'):
                self._form.ids.add(attrs['id'])
            if attrs.get('name') and 'disabled' not in attrs:
                self._field(tag, attrs['name'], attrs)

    def _field(self, tag, name, attrs):
        form = self._form
        kind = attrs.get('type', 'submit' if tag == 'button' else 'text')
        if tag in {'input', 'button'} and kind == 'submit':
            if attrs.get('id'):
                form.buttons[attrs['id']] = (name, attrs.get('value', ''))
        elif tag == 'input' and kind in {'checkbox', 'radio'}:
            if 'checked' in attrs:
                form.pairs.append((name, attrs.get('value', 'on')))
        elif tag == 'input' and kind not in NOT_SUBMITTED:
            form.pairs.append((name, attrs.get('value', '')))
        elif tag == 'select':
            self._select = [name, 'multiple' in attrs, []]
        elif tag == 'textarea':
            self._text = [name, '']

    def handle_data(self, data):
        for open_ in [self._link, self._text, self._option]:
            if open_ is not None:
                open_[-1] += data

    def handle_endtag(self, tag):
        if tag == 'main':
            self._main -= 1
        elif tag == 'a':
            self._link = None
        elif tag == 'form':
            self._form = None
        elif tag == 'option':
            self._option = None
        elif tag == 'textarea' and self._text and self._form:
            self._form.pairs.append(tuple(self._text))
            self._text = None
        elif tag == 'select' and self._select and self._form:
            self._form.pairs.extend(_selected(*self._select))
            self._select = self._option = None


def _selected(name, multiple, options):
    "What a select submits: its selected options, else a single one's first"
    values = [v if v is not None else t.strip() for v, _, t in options]
    chosen = [v for v, (_, selected, _) in zip(values, options) if selected]
    if not chosen and not multiple and values:
        chosen = values[:1]
    return [(name, v) for v in chosen]
