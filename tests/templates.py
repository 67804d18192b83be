# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Template databases keyed by what shapes a database, kept in PostgreSQL
between runs.

A module's template (trytond's DB_CACHE) is keyed by the files that shape
its database: the ``.py`` files outside ``tests/``, the ``.xml`` files,
``tryton.cfg`` and ``locale/*.po`` of the project's modules in its
dependency closure, and requirements.txt.  The demo database's template is
keyed by the same of every module, plus the demo's loader and trytond.conf.
An edit to a doc, a scenario, a test, a page template or a static file
rebuilds no template; an edit to drop_commission keeps the templates of the
modules below it.

Processes of one run (tests/run.py's workers) build each template once: the
first to miss it builds it under a PostgreSQL advisory lock, the others wait
and copy it.  A module's template is built on the template of the modules
below it, activating only what it adds, as an operator activates a module
on a live database.  Each use writes the time in the database's comment, and
:func:`prune` drops the templates unused for a week or past the newest
ones."""
import configparser
import functools
import hashlib
import os
import pathlib
import time

from . import timings

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDONS = ROOT / 'addons'
DEMO_PREFIX = 'dp_tpl_'
KEEP_DAYS = 7
KEEP_MODULE_TEMPLATES = 40
KEEP_DEMO_TEMPLATES = 3


def modules():
    "The project's modules"
    return sorted(
        p.name for p in ADDONS.iterdir() if (p / 'tryton.cfg').exists())


@functools.lru_cache(maxsize=None)
def depends(module):
    "The project's modules that the module needs, itself included"
    cfg = ADDONS / module / 'tryton.cfg'
    if not cfg.exists():
        return frozenset()
    parser = configparser.ConfigParser()
    parser.read(cfg)
    names = set()
    for option in ['depends', 'extras_depend']:
        names.update(parser.get('tryton', option, fallback='').split())
    closure = {module}
    for name in names:
        closure |= depends(name)
    return frozenset(closure)


def _shaping(module):
    "The files of a module that shape its database"
    directory = ADDONS / module
    for path in sorted(directory.rglob('*')):
        parts = path.relative_to(directory).parts
        if not path.is_file() or 'tests' in parts or '__pycache__' in parts:
            continue
        if (path.suffix in {'.py', '.xml'} or path.name == 'tryton.cfg'
                or (parts[0] == 'locale' and path.suffix == '.po')):
            yield path


def key(names, extra=()):
    "A digest of what shapes a database with these modules activated"
    closure = set()
    for name in names:
        closure |= depends(name)
    digest = hashlib.sha256()
    files = [ROOT / 'requirements.txt', *extra]
    for module in sorted(closure):
        files.extend(_shaping(module))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_key():
    "The key of the demo database's template"
    return key(modules(), extra=[
            ROOT / 'bin' / 'load-demo', ROOT / 'trytond.conf'])


def demo_template():
    return f'{DEMO_PREFIX}{demo_key()}'


def connect(uri=None):
    import psycopg
    return psycopg.connect(uri or os.environ['TRYTOND_DATABASE_URI'],
        dbname='postgres', autocommit=True)


def touch(conn, database):
    "Write the time of use in the template's comment"
    conn.execute(f'COMMENT ON DATABASE "{database}" IS '
        f"'{int(time.time())}'")


class Lock:
    """A PostgreSQL advisory lock held on a connection of its own, so that
    one process builds a template while the others wait for it"""

    def __init__(self, name):
        self.name = name
        self.conn = None

    def acquire(self):
        self.conn = connect()
        self.conn.execute(
            'SELECT pg_advisory_lock(hashtext(%s))', (self.name,))

    def release(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def base(name):
    """The template to build a module set's on: that of the project's module
    with the most modules below the set, or None (built from scratch)"""
    if '--' in name:
        # a language or a scenario's setup: as trytond builds it
        return None
    names = set(name.split('-'))
    closure = set().union(*(depends(n) for n in names))
    below = [m for m in closure if {m} != names and depends(m) <= closure]
    return max(below, key=lambda m: (len(depends(m)), _weight(m), m),
        default=None)


def _weight(module):
    "How many modules the module names as its dependencies"
    parser = configparser.ConfigParser()
    parser.read(ADDONS / module / 'tryton.cfg')
    return len(parser.get('tryton', 'depends', fallback='').split())


def activate(names):
    "Activate the modules on trytond's test database, as trytond does"
    from trytond.pool import Pool
    from trytond.tests import test_tryton
    from trytond.transaction import Transaction
    with Transaction().start(
            test_tryton.DB_NAME, 1, close=True) as transaction:
        pool = Pool()
        Module = pool.get('ir.module')
        records = Module.search([
                ('name', 'in', names), ('state', '!=', 'activated')])
        if records:
            Module.activate(records)
            transaction.commit()
            ActivateUpgrade = pool.get(
                'ir.module.activate_upgrade', type='wizard')
            instance_id, _, _ = ActivateUpgrade.create()
            transaction.commit()
            ActivateUpgrade(instance_id).transition_upgrade()
            ActivateUpgrade.delete(instance_id)
            transaction.commit()


def patch_trytond_cache():
    """Key trytond's cached test databases by their modules' shaping files,
    build each once among concurrent processes, and build a module's on the
    template of the modules below it (activating only what it adds)"""
    from trytond.tests import test_tryton, tools
    name_file = test_tryton._db_cache_file
    restore, backup = test_tryton.restore_db_cache, (
        test_tryton.backup_db_cache)
    held = {}

    def _db_cache_file(path, name):
        names = name.split('--')[0].split('-')
        return name_file(path, f'{name}@{key(names)}')

    def cache_name(name):
        return _db_cache_file(test_tryton.DB_CACHE, name).rsplit('/', 1)[-1]

    def restore_db_cache(name):
        if not test_tryton.DB_CACHE:
            return False
        lock = Lock(cache_name(name))
        lock.acquire()
        if restore(name):
            with connect() as conn:
                touch(conn, cache_name(name))
            lock.release()
            return True
        # built by this process, then kept by backup_db_cache
        lock.started = time.monotonic()
        held[name] = lock
        if (below := base(name)) is None:
            return False
        if not restore_db_cache(below):
            test_tryton.drop_create()
            activate([below])
            backup_db_cache(below)
        activate(name.split('-'))
        backup_db_cache(name)
        # the test database is the template's copy already
        return True

    def backup_db_cache(name):
        try:
            backup(name)
            if test_tryton.DB_CACHE:
                with connect() as conn:
                    touch(conn, cache_name(name))
        finally:
            if name in held:
                lock = held.pop(name)
                lock.release()
                timings.record('module template builds',
                    time.monotonic() - lock.started)

    def activate_modules(modules, *setup):
        """tools.activate_modules: a scenario's database with its setup
        (a company, say) built on the template of its modules"""
        if isinstance(modules, str):
            modules = [modules]
        name = '-'.join(sorted(modules))
        cache = name
        if setup:
            cache += '--' + '|'.join(tools._func_name(f) for f in setup)
        if restore_db_cache(cache):
            return tools._get_config()
        if cache != name and not restore_db_cache(name):
            test_tryton.drop_create()
            activate(modules)
            backup_db_cache(name)
        elif cache == name:
            test_tryton.drop_create()
            activate(modules)
        config = tools._get_config()
        for func in setup:
            func(config=config)
        backup_db_cache(cache)
        return config

    test_tryton._db_cache_file = _db_cache_file
    for module in [test_tryton, tools]:
        module.restore_db_cache = restore_db_cache
        module.backup_db_cache = backup_db_cache
    tools.activate_modules = activate_modules

    def release_all():
        "Locks of a build that failed"
        while held:
            held.popitem()[1].release()
    return release_all


def prune(uri):
    """Drop the templates unused for KEEP_DAYS or past the newest ones, and
    the databases left by runs whose process is gone"""
    now = time.time()
    with connect(uri) as conn:
        rows = conn.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') "
            "FROM pg_database").fetchall()
        module_templates, demo_templates, dead = [], [], []
        for name, comment in rows:
            used = float(comment) if comment and comment.isdigit() else now
            if name.startswith('test-'):
                module_templates.append((used, name))
            elif name.startswith(DEMO_PREFIX) and not name.endswith('_build'):
                # a build under way is another process's
                demo_templates.append((used, name))
            elif _run_database(name) and not _alive(_run_database(name)):
                dead.append(name)
        drop = list(dead)
        for templates, keep in [(module_templates, KEEP_MODULE_TEMPLATES),
                (demo_templates, KEEP_DEMO_TEMPLATES)]:
            templates.sort(reverse=True)
            drop += [name for i, (used, name) in enumerate(templates)
                if i >= keep or now - used > KEEP_DAYS * 86400]
        for name in drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return drop


def run_prefix(pid=None):
    "The prefix of the databases of one run's process"
    return f'dp_run{pid or os.getpid()}_'


def _run_database(name):
    "The process id of a run's database, or None"
    for prefix in ['dp_run', 'test_dp_run']:
        if name.startswith(prefix):
            pid = name[len(prefix):].split('_', 1)[0]
            return int(pid) if pid.isdigit() else None
    return None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
