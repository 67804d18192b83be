# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A local fake SMS gateway: answers from a script and records requests."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    """Serve on 127.0.0.1; each answer is (status, body, delay in seconds),
    taken in turn, the last one repeating."""

    def __init__(self, *answers):
        self.answers = list(answers) or [(200, {'id': 'gw-1'}, 0)]
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get('Content-Length', 0))
                gateway.requests.append({
                        'headers': dict(self.headers),
                        'body': self.rfile.read(length).decode(),
                        })
                status, body, delay = gateway.answers[
                    min(len(gateway.requests), len(gateway.answers)) - 1]
                time.sleep(delay)
                if not isinstance(body, str):
                    body = json.dumps(body)
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', 'application/json')
                    self.end_headers()
                    self.wfile.write(body.encode())
                except (BrokenPipeError, ConnectionResetError):
                    # the client stopped waiting: the timeout under test
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_port}/send'
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
