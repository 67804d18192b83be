# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""What the reliability tests of intakes, crashes and the queue share: the
server they force faults on, clerks of their own, verified phones through
the portal, the queue's idle state, the server log's new lines, the back
office's JSON-RPC."""
import atexit
import base64
import json
import re
import time
import urllib.request

from trytond.modules.drop_point import demo
from trytond.modules.drop_point.tests.portal_client import code_of

from ..server import VAR, DemoServer
from ..test_intake_concurrency import INTAKE, Clerk
from .production import QUEUE, WORKERS

POINT = demo.POINTS[0][0]
# as production's log (INFO), with trytond's retries of a request (DEBUG)
LOGGING = '''\
[loggers]
keys=root,retry

[handlers]
keys=log

[formatters]
keys=trytond

[logger_root]
level=INFO
handlers=log

[logger_retry]
level=DEBUG
handlers=
qualname=trytond.protocols.wrappers

[handler_log]
class=StreamHandler
args=(sys.stderr,)
formatter=trytond

[formatter_trytond]
format=%(process)s %(thread)s [%(asctime)s] %(levelname)s %(name)s %(message)s
'''
_faults = None


def faults_server():
    """The production-like server of the tests that force faults (killed,
    its queue worker stopped, a transaction that fails to serialize): not
    the suite's shared one; it logs trytond's retries of a request"""
    global _faults
    if _faults is None:
        name = 'faults'
        config = VAR / name / 'logging.conf'
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(LOGGING)
        _faults = DemoServer(name=name, options=QUEUE,
            environ={'TRYTOND_LOGGING_CONFIG': str(config)})
        _faults.start(workers=WORKERS, worker=True)
        atexit.register(_faults.stop)
    return _faults


def add_clerks(server, emails, point=POINT):
    """New portal users working at the point, made by the back office's
    administrator: each asks for intake codes under its own hourly limit
    per sender"""
    rpc = RPC(server, *server.logins['back_office'][0])
    (point,), = server.sql("SELECT id FROM drop_point WHERE code = %s", point)
    parties = rpc.call('model.party.party.create', [
            [{'name': e} for e in emails], rpc.context])
    users = rpc.call('model.web.user.create', [[{
                    'email': e, 'password': demo.PASSWORD, 'party': p,
                    'email_valid': True} for e, p in zip(emails, parties)],
            rpc.context])
    rpc.call('model.drop.point.staff.create', [[{
                    'point': point, 'web_user': u, 'role': 'clerk'}
                for u in users], rpc.context])
    return [Clerk(server, email) for email in emails]


def verify(clerk, phones):
    """Ask the portal for a code for each phone, read it in the outbox when
    the queue sent it, send it back: return the intake form of each phone
    (its verification and request id)"""
    server = clerk.server
    intake = f'/point/{clerk.point}/intake'
    after = len(server.outbox)
    for phone in phones:
        status, page = clerk.post(f'{intake}/code', phone=phone)
        assert status == 200, (status, page)
    forms = {}
    for phone in phones:
        code = code_of(server.wait_message(phone, after))
        page = clerk.client.post(f'{intake}/verify', phone=phone, code=code)
        assert page.status == 200, (page.status, page.text)
        form = page.form()
        forms[phone] = {n: form[n] for n in INTAKE if n in form}
    return forms


def wait_queue(server, timeout=60):
    "Wait until the queue worker has run every task that is due"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (pending,), = server.sql(
            "SELECT COUNT(*) FROM ir_queue WHERE finished_at IS NULL "
            "AND (scheduled_at IS NULL OR scheduled_at <= NOW())")
        if not pending:
            return
        time.sleep(0.1)
    raise AssertionError(f"the queue still had {pending} tasks after "
        f"{timeout} s")


def log_size(server):
    return (server.directory / 'server.log').stat().st_size


def log_since(server, size):
    "What the server and its queue worker logged past that size"
    with open(server.directory / 'server.log', 'rb') as log:
        log.seek(size)
        return log.read().decode(errors='replace')


def done_card(page):
    "The card of an accepted bag on the intake's last page"
    card = re.search(r'<div class="card done" id="done">.*?</div>', page,
        re.DOTALL)
    return card.group() if card else None


class RPC:
    "The back office's JSON-RPC, as its web client calls it"

    def __init__(self, server, login, password):
        self.url = f'{server.url}/{server.database}/rpc/'
        user, session, *_ = self._post(
            'common.db.login', [login, {'password': password}, 'en'])
        token = f'{login}:{user}:{session}'.encode()
        self.headers = {
            'Authorization': 'Session ' + base64.b64encode(token).decode()}
        self.context = self.call('model.res.user.get_preferences', [True, {}])

    def call(self, method, params):
        return self._post(method, params, self.headers)

    def button(self, model, name, ids):
        return self.call(f'model.{model}.{name}', [ids, self.context])

    def _post(self, method, params, headers=None):
        request = urllib.request.Request(
            self.url, data=json.dumps({
                    'id': 1, 'method': method, 'params': params}).encode(),
            headers={'Content-Type': 'application/json', **(headers or {})})
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
        if answer.get('error'):
            raise RuntimeError(answer['error'])
        return answer['result']
