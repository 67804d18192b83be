# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The test client of the portal, on a small application of its own: both
transports, CSRF from the cookie, forms read as a browser submits them, and
the outbox's newest message."""
import json
import pathlib
import tempfile
import threading
import unittest
import urllib.error

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .portal_client import PortalClient, newest_code, newest_message

PAGE = '''<html><body>
<header><form method="post" action="/db/portal/lang">
  <input type="hidden" name="csrf_token" value="t0k">
  <button type="submit" name="lang" value="en" id="lang-en">EN</button>
</form></header>
<main>
<a href="/db/portal/">Back <b>home</b></a>
<form method="post" action="accept" id="intake">
  <input type="hidden" name="csrf_token" value="t0k">
  <input type="hidden" name="verification" value="7">
  <input type="text" name="seal" value="">
  <input type="checkbox" name="bag" value="1" checked>
  <input type="checkbox" name="bag" value="2">
  <input type="checkbox" name="bag" value="3" checked>
  <input type="text" name="off" value="x" disabled>
  <select name="courier"><option value="">Choose</option>
    <option value="5" selected>Ivan</option></select>
  <select name="size"><option>S</option><option>M</option></select>
  <textarea name="comment">Coat &amp; scarf</textarea>
  <button type="submit" id="accept">Accept</button>
</form>
</main></body></html>'''


@Request.application
def application(request):
    "Sets the CSRF cookie, shows the page, echoes a post, redirects /go"
    if request.path == '/db/portal/go':
        response = Response(status=303, headers={'Location': '/db/portal/'})
    elif request.method == 'POST':
        form = {k: request.form.getlist(k) for k in request.form}
        status = 200 if form.get('csrf_token') == ['t0k'] else 403
        response = Response(json.dumps(form), status=status)
    else:
        response = Response(PAGE, mimetype='text/html',
            status=404 if request.path.endswith('/missing') else 200)
    response.set_cookie('dp_csrf', 't0k', path='/db', httponly=True)
    response.headers['X-Path'] = request.full_path
    return response


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class PortalClientTestCase(unittest.TestCase):

    def clients(self):
        "A client of each transport, with the page's cookie"
        server = make_server(
            '127.0.0.1', 0, application, request_handler=Quiet)
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(server.shutdown)
        return [
            PortalClient.wsgi('db', app=application),
            PortalClient.http(
                f'http://127.0.0.1:{server.port}', 'db',
                follow_redirects=False)]

    def test_form_as_submitted(self):
        "The form's values as a browser submits them"
        page = PortalClient.wsgi('db', app=application).get('/portal/')
        self.assertEqual(page.form(), {
                'csrf_token': 't0k', 'verification': '7', 'seal': '',
                'bag': ['1', '3'], 'courier': '5', 'size': 'S',
                'comment': 'Coat & scarf'})
        self.assertEqual(page.form('intake'), page.form())
        self.assertEqual(page.form('lang-en'),
            {'csrf_token': 't0k', 'lang': 'en'})
        with self.assertRaises(LookupError):
            page.form('nowhere')

    def test_transports(self):
        "Both transports: cookies, CSRF, errors as pages, forms, links"
        for client in self.clients():
            with self.subTest(client=client.transport):
                page = client.get('/portal/missing')
                self.assertEqual(page.status, 404)
                self.assertEqual(page.content, PAGE.encode())
                with self.assertRaises(urllib.error.HTTPError) as raised:
                    page.checked()
                self.assertEqual(raised.exception.code, 404)
                self.assertEqual(raised.exception.read(), PAGE.encode())
                self.assertEqual(client.csrf_token, 't0k')
                self.assertEqual(
                    client.get('/db/portal/x?a=1').headers['X-Path'],
                    '/db/portal/x?a=1')

                posted = client.post('/portal/lang', {'lang': 'ru'}, seal=[
                        'A', 'B'])
                self.assertEqual(json.loads(posted.text), {
                        'csrf_token': ['t0k'], 'lang': ['ru'],
                        'seal': ['A', 'B']})
                self.assertEqual(
                    client.post('/portal/lang', csrf=False).status, 403)

                sent = json.loads(page.submit(seal='AB1').text)
                self.assertEqual(sent['seal'], ['AB1'])
                self.assertEqual(sent['bag'], ['1', '3'])
                self.assertEqual(
                    page.follow('Back home').headers['X-Path'], '/db/portal/?')

                moved = client.get('/portal/go')
                self.assertEqual(moved.status, 303)
                self.assertEqual(moved.follow().status, 200)

    def test_http_follows_redirects_by_choice(self):
        "Over HTTP, redirects are followed unless told not to"
        http = self.clients()[1]
        following = PortalClient.http(http.transport.origin, 'db')
        self.assertEqual(following.get('/portal/go').status, 200)
        self.assertEqual(http.get('/portal/go').status, 303)

    def test_newest_message(self):
        "The newest message of the outbox, to a phone or to anyone"
        outbox = pathlib.Path(tempfile.mkdtemp()) / 'sms-outbox.jsonl'
        self.assertIsNone(newest_message(outbox))
        lines = [
            {'phone': '+79120000001', 'text': "Code 111111"},
            {'phone': '+79120000002', 'text': "Code 222222, valid 5 min"},
            ]
        outbox.write_text(
            ''.join(json.dumps(m) + '\n' for m in lines)
            + '{"phone": "+7912')
        self.assertEqual(newest_message(outbox), lines[1])
        self.assertEqual(newest_code(outbox, '+79120000001'), '111111')
        self.assertEqual(newest_code(outbox), '222222')
        with self.assertRaises(LookupError):
            newest_code(outbox, '+79120000003')
