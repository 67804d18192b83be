# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Run a piece of Python in trytond against a test server's database (see
DemoServer.script): reads {source, params} as JSON on stdin, runs source as
root (no access checks) in a transaction that commits, prints `result` as
JSON."""
import json
import sys

from trytond.config import config

config.update_etc()

from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402


def main(database):
    job = json.load(sys.stdin)
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0) as transaction:
        namespace = dict(job['params'], pool=pool, transaction=transaction)
        exec(job['source'], namespace)
        transaction.commit()
    print(json.dumps(namespace.get('result'), default=str))


if __name__ == '__main__':
    main(sys.argv[1])
