# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import base64
import hashlib
import hmac
import os
import subprocess
import tempfile
from urllib.parse import urlsplit

import qrcode
from PIL import Image
from werkzeug.test import EnvironBuilder

from trytond.modules.company.tests import set_company
from trytond.modules.drop_bag.tests import test_module as bag_tests
from trytond.pool import Pool
from trytond.protocols.wrappers import Request
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

from ..report import in_words, qr_svg
from . import test_module as handover_tests

RUSSIAN = {
    'Handover act No. %(number)s': 'Акт приёма-передачи № %(number)s',
    'Bags in total: %(bags)s, items: %(items)s':
        'Всего пакетов: %(bags)s, вещей: %(items)s',
    'Handed over by': 'Передал',
    'Taken over by': 'Принял',
    }


def pdf_text(content):
    "The text of a PDF, as poppler reads it"
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'act.pdf')
        with open(path, 'wb') as file:
            file.write(content)
        return subprocess.run(
            ['pdftotext', '-layout', path, '-'], check=True,
            capture_output=True, text=True).stdout


def render_page(content, resolution):
    "The first page of a PDF as a grey image"
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'act.pdf')
        with open(path, 'wb') as file:
            file.write(content)
        subprocess.run(
            ['pdftoppm', '-png', '-r', str(resolution), '-f', '1', '-l', '1',
                '-singlefile', path, os.path.join(directory, 'page')],
            check=True)
        with Image.open(os.path.join(directory, 'page.png')) as page:
            return page.convert('L')


def printed_qr(content):
    """The modules of the QR code printed in the top right corner, read
    from the page's image (no QR decoder is installed)"""
    page = render_page(content, 300)
    width, height = page.size
    corner = page.crop((int(width * 0.6), 0, width, int(height * 0.25)))
    pixels = [v < 128 for v in corner.getdata()]
    dark = [pixels[y * corner.width:(y + 1) * corner.width]
        for y in range(corner.height)]
    top = next(y for y, row in enumerate(dark) if any(row))
    # the first row of modules holds two finder patterns: the code's width
    row = dark[top + 2]
    left = row.index(True)
    right = len(row) - row[::-1].index(True)
    return left, top, right - left, dark


def qr_matches(content, text):
    "Whether the printed QR code is the code of the text"
    code = qrcode.QRCode(
        border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    matrix = code.get_matrix()
    left, top, size, dark = printed_qr(content)
    module = size / len(matrix)
    return matrix == [
        [dark[int(top + (i + .5) * module)][int(left + (j + .5) * module)]
            for j in range(len(matrix))]
        for i in range(len(matrix))]


def portal_get(url):
    """Answer a GET of the URL inside the test's transaction: the handler
    behind the route, as the server calls it after opening the transaction"""
    path = urlsplit(url).path
    endpoint, args = app.url_map.bind('localhost').match(path, method='GET')
    args.pop('database_name')
    # with_pool, error_pages, wait_locks and with_transaction, then the
    # portal's wrapper
    handler = endpoint.__wrapped__.__wrapped__.__wrapped__.__wrapped__
    request = EnvironBuilder(path=path).get_request(Request)
    return handler(request, Pool(), **args)


class DropHandoverReportTestCase(
        handover_tests.HandoverTestMixin, ModuleTestCase):
    "Test the printed handover act and its verification page"
    module = 'drop_handover'

    def sent_act(self):
        "Three bags of 1, 2 and 3 items handed to a courier"
        Handover = Pool().get('drop.handover')
        company, point, clerk = self.setup_point()
        with set_company(company):
            bags = self.bags(point, clerk, 3)
            courier, van = self.courier()
            act = self.act(point, van, bags, courier=courier)
            with Transaction().set_context(web_user=clerk.id):
                Handover.send([act])
        return company, act

    def print_act(self, act):
        Report = Pool().get('drop.handover', type='report')
        ext, content, direct_print, name = Report.execute([act.id], {})
        self.assertEqual(ext, 'pdf')
        self.assertTrue(bytes(content).startswith(b'%PDF'))
        self.assertFalse(direct_print)
        self.assertIn(act.number, name)
        self.printed = bytes(content)
        return pdf_text(self.printed)

    def render_html(self, act):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Report = pool.get('drop.handover', type='report')
        action, = ActionReport.search([('report_name', '=', Report.__name__)])
        records = Report._get_records([act.id], 'drop.handover', {})
        return Report.render(action, Report.get_context(records, {}, {}))

    def test_in_words(self):
        "The totals are written in words in the document's language"
        self.assertEqual(in_words(3, 'en'), 'three')
        self.assertEqual(in_words(6, 'ru'), 'шесть')
        self.assertEqual(in_words(21, 'ru_RU'), 'двадцать один')
        self.assertEqual(in_words(2, 'xx'), 'two')

    @with_transaction()
    def test_print_act(self):
        "The printed act lists the seals, the totals in figures and words"
        company, act = self.sent_act()
        with set_company(company):
            text = self.print_act(act)
        self.assertIn(f'Handover act No. {act.number}', text)
        for seal in ['SEAL0000', 'SEAL0001', 'SEAL0002']:
            self.assertIn(seal, text)
        self.assertIn('Bags in total: 3 (three), items: 6 (six)', text)
        self.assertIn('clerk@example.com', text)
        self.assertIn('Handed over by', text)
        self.assertIn('Taken over by', text)
        # the QR code in the corner is the act's verification link
        self.assertTrue(qr_matches(self.printed, act.verification_url()))
        self.assertFalse(
            qr_matches(self.printed, act.verification_url() + 'x'))

    @with_transaction()
    def test_print_act_with_discrepancies(self):
        "The printed act tells what the taker found different"
        pool = Pool()
        Handover = pool.get('drop.handover')
        company, act = self.sent_act()
        with set_company(company):
            first, second, third = sorted(act.lines, key=lambda l: l.id)
            extra, _ = self.intake(
                act.drop_point, act.drop_point.staff[0].web_user,
                seal='SEAL0099', count=4, phone='+79120000099',
                verification=bag_tests.verified('+79120000099'))
            act = Handover.take(
                act, missing=[first.bag], broken=[second.bag], extra=[extra],
                seals=['NOSUCH99'])
            text = self.print_act(act)
        self.assertIn('On receipt', text)
        self.assertRegex(text, r'SEAL0000\s+1\s+Missing')
        self.assertRegex(text, r'SEAL0001\s+2\s+Seal Broken')
        self.assertIn('Bags in total: 3 (three), items: 6 (six)', text)
        self.assertIn('Received without being on the act: SEAL0099', text)
        self.assertIn('Typed on receipt but not held by the giver, nothing '
            'moved: NOSUCH99', text)

    @with_transaction()
    def test_print_act_in_russian(self):
        "With Russian as the context's language, the act reads in Russian"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        company, act = self.sent_act()
        ru, = Lang.search([('code', '=', 'ru')])
        Lang.write([ru], {'translatable': True})
        Translation.create([{
                    'lang': 'ru', 'type': 'report', 'name': 'drop.handover',
                    'res_id': -1, 'src': src, 'value': value,
                    'module': 'drop_handover',
                    } for src, value in RUSSIAN.items()])
        with set_company(company), \
                Transaction().set_context(language='ru'):
            text = self.print_act(act)
        self.assertIn(f'Акт приёма-передачи № {act.number}', text)
        self.assertIn('Всего пакетов: 3 (три), вещей: 6 (шесть)', text)
        self.assertIn('Передал', text)
        self.assertIn('Принял', text)

    @with_transaction()
    def test_qr_code(self):
        "The QR code of the act encodes its verification link"
        company, act = self.sent_act()
        with set_company(company):
            html = self.render_html(act)
        url = act.verification_url()
        self.assertTrue(url.startswith(
                f'http://localhost:8000/{Transaction().database.name}'
                f'/act/{act.id}/'))
        self.assertIn(qr_svg(url).render(encoding=None), html)
        # every print carries the same link
        self.assertEqual(url, act.verification_url())

    @with_transaction()
    def test_verification_page(self):
        "Whoever scans the QR code sees the act; a wrong token, not found"
        company, act = self.sent_act()
        url = act.verification_url()
        response = portal_get(url)
        self.assertEqual(response.status_code, 200)
        page = response.get_data(as_text=True)
        self.assertIn(act.number, page)
        for seal in ['SEAL0000', 'SEAL0001', 'SEAL0002']:
            self.assertIn(seal, page)
        self.assertIn('Bags: 3, items: 6', page)
        self.assertIn('clerk@example.com', page)
        self.assertEqual(response.headers['Referrer-Policy'], 'no-referrer')
        self.assertEqual(response.headers['Cache-Control'], 'no-store')

        token = url.rsplit('/', 1)[1]
        wrong = 'xx' if token[-2:] != 'xx' else 'yy'
        not_found = portal_get(url[:-2] + wrong)
        self.assertEqual(not_found.status_code, 404)
        self.assertNotIn('SEAL0000', not_found.get_data(as_text=True))
        self.assertEqual(
            not_found.headers['Referrer-Policy'], 'no-referrer')
        # another act's id with this token is the same "not found"
        other = portal_get(url.replace(f'/act/{act.id}/', '/act/999999/'))
        self.assertEqual(other.status_code, 404)
        self.assertIn('id="error-title"', other.get_data(as_text=True))
        self.assertEqual(portal_get(url.replace(
                    f'/act/{act.id}/', '/act/abc/')).status_code, 404)

    @with_transaction()
    def test_verification_token_not_from_database_name(self):
        """A token computed from the database's name (the key a server
        without [drop_handover] secret used) does not open the act"""
        company, act = self.sent_act()
        database = Transaction().database.name
        key = f'drop-points-handover:{database}'.encode()
        message = '\0'.join(['drop.handover', database, str(act.id),
                act.number])
        digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
        guessed = base64.urlsafe_b64encode(digest[:24]).decode().rstrip('=')
        url = act.verification_url()
        self.assertEqual(portal_get(url).status_code, 200)
        self.assertNotEqual(url.rsplit('/', 1)[1], guessed)
        response = portal_get(url.rsplit('/', 1)[0] + '/' + guessed)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(act.number, response.get_data(as_text=True))


del ModuleTestCase
