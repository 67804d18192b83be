# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""trytond servers with the demo data on PostgreSQL for the end-to-end
tests: one shared by the tests of a run (:func:`server`), and others of
their own (another database copied from the same template), such as the
production-like server of the reliability suite (gunicorn's workers and the
queue worker).  The demo database is kept as a template keyed by the
project's sources, so that later runs only copy it.

DP_E2E_DATABASE names this run's databases (dp_e2e), so that two runs on
one PostgreSQL server keep out of each other's way."""
import atexit
import configparser
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import psycopg

from . import templates, timings

ROOT = pathlib.Path(__file__).resolve().parents[1]
VENV_BIN = pathlib.Path(sys.executable).parent
DATABASE = os.environ.get('DP_E2E_DATABASE', 'dp_e2e')
VAR = ROOT / 'var' / DATABASE.replace('dp_', '', 1)
MODULES = templates.modules()
_server = None


def server():
    "Return the running demo server, starting it on first use"
    global _server
    if _server is None:
        _server = DemoServer()
        _server.start()
        atexit.register(_server.stop)
    return _server


def logins_file(template=None):
    "The demo's logins, as bin/load-demo printed them for the template"
    template = template or templates.demo_template()
    return ROOT / 'var' / 'templates' / f'{template}.json'


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class DemoServer:
    """A trytond server on a copy of the demo database.

    name: None for the run's shared database, else a database of its own
    (<DATABASE>_<name>) and a folder of its own under var/."""

    def __init__(self, options=None, name=None, environ=None):
        """options: more configuration, {section: {option: value}};
        environ: more environment variables of its processes"""
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        if not uri.startswith('postgresql'):
            raise RuntimeError(
                "The end-to-end tests run on PostgreSQL: use bin/test, "
                "or set TRYTOND_DATABASE_URI")
        self.uri = uri
        self.database = f'{DATABASE}_{name}' if name else DATABASE
        self.port = _free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.portal = f'{self.url}/{self.database}/portal'
        self.directory = VAR / name if name else VAR
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config = self.directory / 'trytond.conf'
        self.options = options or {}
        self.environ = environ or {}
        self._write_config(self.options)
        self.process = None
        self.worker = None
        self.workers = None
        self.logins = None
        # the demo template copied, read when the sources change meanwhile
        self.template = None
        self.log = None

    def _write_config(self, options, path=None):
        "trytond.conf with this server's database, paths and port"
        config = configparser.ConfigParser(interpolation=None)
        config.read(ROOT / 'trytond.conf')
        config.read_dict({
                'database': {'uri': self.uri, 'path': str(self.directory)},
                'web': {
                    'root': str(ROOT / 'var' / 'sao'),
                    'listen': f'127.0.0.1:{self.port}'},
                'sms': {
                    'outbox_file': str(self.directory / 'sms-outbox.jsonl')},
                })
        config.read_dict(options)
        with open(path or self.config, 'w') as file:
            config.write(file)

    @property
    def configs(self):
        return [str(self.config)]

    @property
    def outbox(self):
        "The text messages sent, in order"
        path = self.directory / 'sms-outbox.jsonl'
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def wait_message(self, phone, after=0, timeout=30):
        """The first text message to the phone past the first `after` of
        the outbox, waiting for the queue to send it"""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.outbox[after:]:
                if message['phone'] == phone:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no text message to {phone} within {timeout} s")

    @property
    def env(self):
        return dict(os.environ, TRYTOND_CONFIG=str(self.config),
            TRYTOND_DATABASE_NAMES=self.database, **self.environ)

    def start(self, workers=None, worker=False, fresh=True):
        """Start trytond's own server, or gunicorn with that many workers
        as in production; worker: also trytond-worker, which runs the
        queue (set [queue] worker in the options).  fresh: on a new copy of
        the demo database, else on the database as it was left"""
        if fresh:
            self._create_database()
            # the messages of this run only
            (self.directory / 'sms-outbox.jsonl').unlink(missing_ok=True)
        self.logins = json.loads(logins_file(self.template).read_text())
        self.log = open(self.directory / 'server.log', 'a' if not fresh
            else 'w')
        self.workers = workers
        if workers:
            # a month's commission invoices take longer than gunicorn's
            # default of 30 s to confirm for a big partner
            command = [str(VENV_BIN / 'gunicorn'), '--workers', str(workers),
                '--timeout', '600', '--bind', f'127.0.0.1:{self.port}',
                'trytond.application:app']
        else:
            command = [
                str(VENV_BIN / 'trytond'), '-c', *self.configs,
                '-d', self.database]
        # a session of its own, so that kill() reaches gunicorn's workers
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT,
            env=self.env, start_new_session=True)
        if worker:
            self.start_worker()
        self._wait()

    def start_worker(self, processes=1):
        """Start trytond-worker on the database's queue, pulling at least
        every 5 s as in production (docker/compose.yml)"""
        self.worker = subprocess.Popen([
                str(VENV_BIN / 'trytond-worker'), '-c', *self.configs,
                '-d', self.database, '-n', str(processes), '--timeout', '5'],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env,
            start_new_session=True)

    def stop_worker(self):
        self._end(self.worker)
        self.worker = None

    def stop(self):
        self.stop_worker()
        self._end(self.process)
        if self.log:
            self.log.close()

    def kill(self):
        "Kill the server and its worker processes at once (SIGKILL)"
        for process in [self.process, self.worker]:
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def restart(self):
        "Start again on the database as it was left"
        worker = self.worker is not None
        self.stop()
        self.start(workers=self.workers, worker=worker, fresh=False)

    @staticmethod
    def _end(process):
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def _wait(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"trytond stopped, see {self.directory / 'server.log'}")
            try:
                urllib.request.urlopen(f'{self.portal}/login', timeout=5)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("trytond did not answer within 60 s")

    def sql(self, query, *params, database=None, autocommit=False):
        with psycopg.connect(
                self.uri, dbname=database or self.database,
                autocommit=autocommit) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def script(self, source, **params):
        """Run Python source in trytond on the database, as root (no access
        checks) in a transaction that commits, with `pool`, `transaction`
        and the params as variables; return the JSON value it puts in
        `result`"""
        process = subprocess.run(
            [str(VENV_BIN / 'python'), str(ROOT / 'tests' / 'script.py'),
                self.database],
            input=json.dumps({
                    'source': textwrap.dedent(source), 'params': params}),
            capture_output=True, text=True, env=self.env, check=False)
        if process.returncode:
            raise RuntimeError(process.stderr)
        return json.loads(process.stdout.splitlines()[-1])

    def _create_database(self):
        "A new copy of the demo database's template, built when missing"
        template = self.ensure_template()
        self.sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            database='postgres', autocommit=True)
        self.sql(f'CREATE DATABASE "{self.database}" TEMPLATE "{template}"',
            database='postgres', autocommit=True)

    def ensure_template(self):
        """The name of the demo database's template, built by the first
        process that misses it while the others wait"""
        template = self.template = templates.demo_template()
        logins = logins_file(template)
        lock = templates.Lock(template)
        lock.acquire()
        try:
            exists = self.sql(
                "SELECT 1 FROM pg_database WHERE datname = %s", template,
                database='postgres')
            if not exists or not logins.exists():
                self._create_template(template, logins)
            with templates.connect(self.uri) as conn:
                templates.touch(conn, template)
        finally:
            lock.release()
        return template

    def _create_template(self, template, logins):
        "Build the demo database and keep it as the template"
        started = time.monotonic()
        build = f'{template}_build'
        self.sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
            database='postgres', autocommit=True)
        self.sql(f'DROP DATABASE IF EXISTS "{build}" WITH (FORCE)',
            database='postgres', autocommit=True)
        # template1 may be in use: trytond connects there to list databases
        self.sql(f'CREATE DATABASE "{build}" TEMPLATE template0 '
            "ENCODING 'UTF8'",
            database='postgres', autocommit=True)
        password = self.directory / 'admin-password'
        password.write_text('admin\n')
        # built without this server's options: with [queue] worker the demo's
        # tasks (texts, orders) would wait in the template's queue, for every
        # copy's worker, their secrets sealed with the build database's key
        configs = [str(self.directory / 'build.conf')]
        self._write_config({}, configs[0])
        subprocess.run([
                str(VENV_BIN / 'trytond-admin'), '-c', *configs,
                '-d', build, '--all', '-u', *MODULES,
                '--activate-dependencies', '-l', 'ru', 'en',
                '--email', 'admin@demo.example'],
            check=True, env=dict(os.environ, TRYTONPASSFILE=str(password)),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        output = subprocess.run([
                str(VENV_BIN / 'python'), str(ROOT / 'bin' / 'load-demo'),
                build, *configs],
            check=True, capture_output=True, text=True).stdout
        logins.parent.mkdir(parents=True, exist_ok=True)
        logins.write_text(output.strip().splitlines()[-1])
        self.sql(f'ALTER DATABASE "{build}" RENAME TO "{template}"',
            database='postgres', autocommit=True)
        timings.record('demo template build', time.monotonic() - started)
