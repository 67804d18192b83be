# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""One trytond server with the demo data on PostgreSQL, shared by the
end-to-end tests of a run.  The demo database is kept as a template keyed by
the project's sources, so that later runs only copy it."""
import atexit
import configparser
import hashlib
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import psycopg

ROOT = pathlib.Path(__file__).resolve().parents[1]
VENV_BIN = pathlib.Path(sys.executable).parent
DATABASE = 'dp_e2e'
MODULES = sorted(
    p.name for p in (ROOT / 'addons').iterdir() if (p / 'tryton.cfg').exists())
_server = None


def server():
    "Return the running demo server, starting it on first use"
    global _server
    if _server is None:
        _server = DemoServer()
        _server.start()
        atexit.register(_server.stop)
    return _server


def sources_hash():
    "A digest of what the databases are built from"
    digest = hashlib.sha256()
    files = [ROOT / 'requirements.txt', ROOT / 'bin' / 'load-demo',
        ROOT / 'trytond.conf']
    files += sorted(p for p in (ROOT / 'addons').rglob('*')
        if p.is_file() and '__pycache__' not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class DemoServer:

    def __init__(self, options=None):
        "options: more configuration, {section: {option: value}}"
        uri = os.environ.get('TRYTOND_DATABASE_URI', '')
        if not uri.startswith('postgresql'):
            raise RuntimeError(
                "The end-to-end tests run on PostgreSQL: use bin/test, "
                "or set TRYTOND_DATABASE_URI")
        self.uri = uri
        self.database = DATABASE
        self.port = _free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.portal = f'{self.url}/{DATABASE}/portal'
        self.directory = ROOT / 'var' / 'e2e'
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config = self.directory / 'trytond.conf'
        self._write_config(options or {})
        self.process = None
        self.logins = None

    def _write_config(self, options):
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
        with open(self.config, 'w') as file:
            config.write(file)

    @property
    def configs(self):
        return [str(self.config)]

    def start(self, workers=None):
        """Start trytond's own server, or gunicorn with that many workers
        as in production"""
        self._create_database()
        # the messages of this run only
        (self.directory / 'sms-outbox.jsonl').unlink(missing_ok=True)
        self.logins = json.loads(
            (self.directory / 'logins.json').read_text())
        self.log = open(self.directory / 'server.log', 'w')
        if workers:
            # a month's commission invoices take longer than gunicorn's
            # default of 30 s to confirm for a big partner
            command = [str(VENV_BIN / 'gunicorn'), '--workers', str(workers),
                '--timeout', '600', '--bind', f'127.0.0.1:{self.port}',
                'trytond.application:app']
        else:
            command = [
                str(VENV_BIN / 'trytond'), '-c', *self.configs,
                '-d', DATABASE]
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, TRYTOND_CONFIG=str(self.config),
                TRYTOND_DATABASE_NAMES=DATABASE))
        self._wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()

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

    def sql(self, query, *params, database=DATABASE, autocommit=False):
        with psycopg.connect(
                self.uri, dbname=database, autocommit=autocommit) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def _create_database(self):
        template = f'{DATABASE}_tpl_{sources_hash()}'
        logins = self.directory / 'logins.json'
        exists = self.sql(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            f'{DATABASE}%', database='postgres')
        names = {name for name, in exists}
        self.sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
            database='postgres', autocommit=True)
        if template in names and logins.exists():
            self.sql(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}"',
                database='postgres', autocommit=True)
            return
        for name in names - {DATABASE}:
            self.sql(f'DROP DATABASE "{name}"',
                database='postgres', autocommit=True)
        self.sql(f'CREATE DATABASE "{DATABASE}"',
            database='postgres', autocommit=True)
        password = self.directory / 'admin-password'
        password.write_text('admin\n')
        subprocess.run([
                str(VENV_BIN / 'trytond-admin'), '-c', *self.configs,
                '-d', DATABASE, '--all', '-u', *MODULES,
                '--activate-dependencies', '-l', 'ru', 'en',
                '--email', 'admin@demo.example'],
            check=True, env=dict(os.environ, TRYTONPASSFILE=str(password)),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        output = subprocess.run([
                str(VENV_BIN / 'python'), str(ROOT / 'bin' / 'load-demo'),
                DATABASE, *self.configs],
            check=True, capture_output=True, text=True).stdout
        logins.write_text(output.strip().splitlines()[-1])
        self.sql(f'CREATE DATABASE "{template}" TEMPLATE "{DATABASE}"',
            database='postgres', autocommit=True)
