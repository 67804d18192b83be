# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The server of the reliability suite, run as in production: PostgreSQL,
gunicorn with 2 workers and trytond-worker running the queue, so that text
messages leave the request and are sent after its commit.  It logs at INFO
(each request's URL), as an operator looking into a problem would, so that
the suite sees what such a log would leak."""
import atexit

from ..server import DemoServer

WORKERS = 2
QUEUE = {'queue': {'worker': 'True'}}
# as config/production.conf: the processes' caches cleared at once
CACHE = {'cache': {'clean_timeout': '0'}}
LOGGING = {'TRYTOND_LOGGING_LEVEL': '20'}
_server = None


def production_server():
    "The suite's shared production-like server, started on first use"
    global _server
    if _server is None:
        _server = new_server('production')
        atexit.register(_server.stop)
    return _server


def new_server(name, options=None):
    """A production-like server on a database of its own, for a test that
    stops, kills or reconfigures it; the caller stops it"""
    server = DemoServer(
        name=name, options={**QUEUE, **CACHE, **(options or {})},
        environ=LOGGING)
    server.start(workers=WORKERS, worker=True)
    return server
