# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""What each portal user reaches through Tryton's access layer, run inside
trytond on a test server's database (DemoServer.script gives `pool`,
`transaction` and the parameters, and returns `result`).

For every model the portal group has an access record for, or may do
anything with by Tryton's access, it acts as the portal handlers do
(PortalRequest.scope: the inactive portal user, check_access, the web user
in the context) and notes every operation that was not refused.  Each
attempt is undone by a savepoint, and the whole transaction at the end."""
import datetime as dt
from decimal import Decimal

from werkzeug.test import EnvironBuilder

from trytond.model import ModelSingleton, ModelSQL, fields
from trytond.model.exceptions import AccessError
from trytond.modules.drop_point.portal import PortalRequest
from trytond.protocols.wrappers import Request
from trytond.transaction import Transaction, inactive_records

# records of a model looked at per user
LIMIT = 50
# fields no one writes, whoever they are
META = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date',
    'rec_name', '_timestamp'}
SAMPLES = {
    'char': 'x', 'text': 'x', 'integer': 1, 'bigint': 1, 'float': 1.0,
    'numeric': Decimal(1), 'boolean': False, 'date': dt.date(2020, 1, 1),
    'datetime': dt.datetime(2020, 1, 1), 'timestamp': dt.datetime(2020, 1, 1),
    'time': dt.time(12), 'timedelta': dt.timedelta(1), 'binary': b'x',
    'dict': {},
    }


def portal_models(pool):
    """The models the portal group has an access record for, and those its
    user may read, write, create or delete by Tryton's access"""
    ModelAccess = pool.get('ir.model.access')
    ModelData = pool.get('ir.model.data')
    group = ModelData.get_id('drop_point', 'group_portal')
    names = [n for n, M in pool.iterobject() if issubclass(M, ModelSQL)]
    with Transaction().set_user(ModelData.get_id('drop_point', 'user_portal')):
        access = ModelAccess.get_access(names)
    recorded = {a.model for a in ModelAccess.search([('group', '=', group)])}
    return sorted(
        n for n in names if any(access[n].values()) or n in recorded)


def scope(pool, web_user):
    "The context PortalRequest.scope() gives the handlers of the web user"
    WebUser = pool.get('web.user')
    environ = EnvironBuilder(
        path=f'/{pool.database_name}/portal/',
        headers={'Accept-Language': 'en'},
        environ_base={'REMOTE_ADDR': '127.0.0.1'}).get_environ()
    portal = PortalRequest(Request(environ), pool)
    portal.web_user = WebUser(web_user)
    return portal.scope()


class Probe:
    "Tries operations as portal users, each undone, and notes what passed"

    def __init__(self, pool, transaction):
        self.pool = pool
        self.transaction = transaction
        self.holes = []

    def attempt(self, user, model, operation, call, expect_empty=False):
        """Run call() in the scope of the user: it must be refused, or
        return an empty result when expect_empty.  Refused: AccessError,
        or any error of a write, create or delete that the model's access
        forbids (a method may check its values before Tryton checks the
        access)"""
        ModelAccess = self.pool.get('ir.model.access')
        mode = operation.split()[0]
        forbidden = mode in {'write', 'create', 'delete'} and not (
            ModelAccess.check(model, mode, raise_exception=False))
        cursor = self.transaction.connection.cursor()
        cursor.execute('SAVEPOINT isolation')
        try:
            value = call()
        except AccessError:
            return
        except Exception as error:
            if forbidden:
                return
            value = error
        finally:
            cursor.execute('ROLLBACK TO SAVEPOINT isolation')
            cursor.execute('RELEASE SAVEPOINT isolation')
            self.transaction.cache.clear()
        if expect_empty and not value:
            return
        outcome = (f'{value.__class__.__name__}: {value}'
            if isinstance(value, Exception) else f'allowed: {value!r}')
        self.holes.append(dict(
                user=user, model=model, operation=operation,
                outcome=outcome[:300]))

    def visible(self, user, model):
        "The ids the user's handlers find by searching everything"
        Model = self.pool.get(model)
        try:
            return [r.id for r in Model.search(
                    [], order=[('id', 'ASC')], limit=LIMIT)]
        except AccessError:
            return []

    def others(self, reader, model, ids):
        "The reader reaches none of these records of another partner"
        Model = self.pool.get(model)
        names = [n for n in Model._fields if n != '_timestamp']
        domain = [('id', 'in', ids)]
        attempt = self.attempt
        attempt(reader, model, 'search', lambda: Model.search(domain),
            expect_empty=True)
        attempt(reader, model, 'search_count',
            lambda: Model.search_count(domain), expect_empty=True)
        attempt(reader, model, 'read', lambda: Model.read(ids, names))
        attempt(reader, model, 'export_data',
            lambda: Model.export_data(Model.browse(ids), ['rec_name']))
        attempt(reader, model, 'export_data_domain',
            lambda: Model.export_data_domain(domain, ['rec_name']),
            expect_empty=True)
        attempt(reader, model, 'write',
            lambda: Model.write(Model.browse(ids), {}))
        attempt(reader, model, 'delete',
            lambda: Model.delete(Model.browse(ids)))

    def own(self, user, model, ids, values):
        "The user writes no field of its own record, deletes none"
        Model = self.pool.get(model)
        records = Model.browse(ids[:1])
        for name, value in values.items():
            self.attempt(user, model, f'write {name}',
                lambda: Model.write(records, {name: value}))
        self.attempt(user, model, 'delete', lambda: Model.delete(records))

    def create(self, user, model, values):
        Model = self.pool.get(model)
        self.attempt(user, model, 'create', lambda: Model.create([values]))


def _writable(field):
    if isinstance(field, fields.Function):
        return bool(field.setter)
    return not isinstance(field, fields.MultiValue)


def stored_values(Model, ids):
    "The values of the record as a write would give them (as root)"
    names = [n for n, f in Model._fields.items()
        if n not in META and _writable(f)]
    values, = Model.read(ids, names)
    for name in names:
        field = Model._fields[name]
        if field._type in {'one2many', 'many2many'}:
            values[name] = [('add', values[name])]
        elif field._type == 'reference' and values[name]:
            values[name] = str(values[name])
    return {n: values[n] for n in names}


def sample_values(pool, Model):
    "Values for the required fields of a new record, when none exists"
    values = {}
    for name, field in Model._fields.items():
        if not field.required or name in META:
            continue
        if field._type in SAMPLES:
            values[name] = SAMPLES[field._type]
        elif field._type == 'selection' and isinstance(field.selection, list):
            values[name] = field.selection[0][0]
        elif field._type == 'many2one':
            targets = field.get_target().search([], limit=1)
            values[name] = targets[0].id if targets else None
        elif field._type == 'reference':
            # a partner's record: what a resource would be attached to
            bag, = pool.get('drop.bag').search([], limit=1)
            values[name] = str(bag)
    return values


def prepare(pool, models):
    """As root, a record's values for each model that can be created
    (Tryton creates a missing singleton without access check, at the first
    write: such a singleton is left out)"""
    values = {}
    for model in models:
        Model = pool.get(model)
        if Model._is_table_query() or (issubclass(Model, ModelSingleton)
                and not Model.get_singleton()):
            continue
        with inactive_records():
            records = Model.search([], order=[('id', 'ASC')], limit=1)
        values[model] = (stored_values(Model, [records[0].id]) if records
            else sample_values(pool, Model))
    return values


def check(pool, transaction, pairs, shared):
    """pairs: [reader, other] web user ids that share no point; shared:
    models whose records every partner may read (reference data).

    Return the models, the records each user sees, and the holes."""
    probe = Probe(pool, transaction)
    models = portal_models(pool)
    values = prepare(pool, models)
    users = sorted({u for pair in pairs for u in pair})
    seen = {m: {} for m in models}
    for user in users:
        with scope(pool, user):
            for model in models:
                seen[model][user] = probe.visible(user, model)
    written = set()
    for reader in users:
        others = [o for r, o in pairs if r == reader]
        with scope(pool, reader):
            for model in models:
                ids = sorted({i for o in others for i in seen[model][o]})
                if model not in shared and ids:
                    probe.others(reader, model, ids)
                if model not in values:
                    continue
                if reader == users[0]:
                    probe.create(reader, model, values[model])
                own = seen[model][reader]
                if own and model not in written:
                    written.add(model)
                    probe.own(reader, model, own, values[model])
    transaction.rollback()
    return dict(
        models=models, holes=probe.holes,
        seen={m: {str(u): ids for u, ids in s.items()}
            for m, s in seen.items()})
