# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A clerk scans the seal's code with the phone's camera.

No server: the bag step of the intake screen is rendered from its template
and served, with the static files of the modules, by a small HTTP server
under the portal's Content-Security-Policy."""
import base64
import http.server
import io
import tempfile
import threading
import types
import unittest
from xml.etree import ElementTree

import qrcode
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image
from selenium.webdriver.common.by import By

from trytond.modules.drop_point.portal import SECURITY_HEADERS
from trytond.tools import barcode

from .browser import ROOT, chromium, screenshot, wait

ADDONS = ROOT / 'addons'
MODULES = ('drop_point', 'drop_bag')
SCANNER = ADDONS / 'drop_bag' / 'static' / 'vendor' / 'zxing-browser.min.js'
SEAL = 'AB-123 456'
# run by the driver before the page's scripts: the policy forbids inline ones
WATCH_POLICY = """
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
        window.violations.push(
            event.violatedDirective + ' ' + event.blockedURI));
    """
NO_CAMERA_API = """
    Object.defineProperty(Navigator.prototype, 'mediaDevices',
        {get: () => undefined, configurable: true});
    """
NO_CAMERA = """
    MediaDevices.prototype.getUserMedia = () => Promise.reject(
        new DOMException('Requested device not found', 'NotFoundError'));
    """
DECODE = """
    const done = arguments[arguments.length - 1];
    DropScan.decodeImage(arguments[0]).then(
        (text) => done({text: text, seal: DropScan.normalise(text)}),
        (error) => done({error: String(error && error.name || error)}));
    """


def messages():
    "The English texts of the modules' ir.message records, by full id"
    texts = {}
    for path in ADDONS.glob('*/*.xml'):
        for record in ElementTree.parse(path).iter('record'):
            if record.get('model') == 'ir.message':
                text = record.find("field[@name='text']").text
                texts[f'{path.parent.name}.{record.get("id")}'] = text
    return texts


def intake_page():
    "The bag step as the portal renders it in English"
    texts = messages()

    def gettext(message_id, **variables):
        return texts[message_id] % variables if variables else texts[
            message_id]
    environment = Environment(
        loader=FileSystemLoader(
            [str(ADDONS / m / 'templates') for m in MODULES]),
        autoescape=select_autoescape(default=True),
        trim_blocks=True, lstrip_blocks=True)
    portal = types.SimpleNamespace(
        url=lambda path='/': '/portal' + path, csrf_token='token',
        language='en', web_user=None,
        request=types.SimpleNamespace(path='/portal/point/1/intake'))
    return environment.get_template('drop_bag/intake.html').render(
        portal=portal, _=gettext, screens=[], step='bag',
        point=types.SimpleNamespace(id=1, rec_name="ATL-02 Tailor shop"),
        phone='+79125551234', masked='+7 ***-**-34', verification='1',
        request_id='request', seal='', item_count=1, comment='')


class Handler(http.server.SimpleHTTPRequestHandler):
    "The page at /intake, each module's static/ at /portal/static/<module>/"
    page = b''

    def do_GET(self):
        if self.path != '/intake':
            return super().do_GET()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(self.page)

    def translate_path(self, path):
        module, _, rest = path.removeprefix('/portal/static/').partition('/')
        if module not in MODULES:
            return '/nonexistent'
        self.directory = str(ADDONS / module / 'static')
        return super().translate_path('/' + rest)

    def log_message(self, format, *args):
        pass


def png(image):
    output = io.BytesIO()
    image.save(output, format='PNG')
    return output.getvalue()


def data_url(content):
    return 'data:image/png;base64,' + base64.b64encode(content).decode()


def qr_image(text, box_size=10):
    return qrcode.make(text, box_size=box_size).get_image().convert('L')


def camera_video(path, text, blank_seconds=4, fps=10):
    """A Y4M video for Chromium's fake camera: a white frame for
    blank_seconds, then the QR code of text"""
    width, height = 320, 240
    blank = Image.new('L', (width, height), 255)
    frame = blank.copy()
    code = qr_image(text, box_size=7)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    chroma = bytes([128]) * (width * height // 2)
    with open(path, 'wb') as video:
        video.write(
            f'YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n'
            .encode())
        frames = [blank] * (blank_seconds * fps) + [frame] * fps
        for image in frames:
            video.write(b'FRAME\n' + image.tobytes() + chroma)


def chromium_with_camera(video=None, allowed=True):
    """Chromium with a fake camera, allowed without asking or not, filming
    the video file if any"""
    arguments = ['--use-fake-device-for-media-stream']
    if allowed:
        arguments.append('--use-fake-ui-for-media-stream')
    if video:
        arguments.append(f'--use-file-for-fake-video-capture={video}')
    return chromium(arguments=arguments)


class ScanBrowserTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not SCANNER.exists():
            raise RuntimeError(f"{SCANNER} is missing: run bin/setup")
        handler = type('PageHandler', (Handler,), {
                'page': intake_page().encode()})
        cls.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        cls.url = 'http://127.0.0.1:%d/intake' % cls.httpd.server_port
        cls.thread = threading.Thread(target=cls.httpd.serve_forever)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()
        cls.thread.join()

    def start(self, driver=None, before=''):
        "Open the page in a phone-size Chromium; before runs ahead of it"
        self.driver = driver or chromium()
        self.addCleanup(self.driver.quit)
        self.driver.execute_cdp_cmd(
            'Page.addScriptToEvaluateOnNewDocument',
            {'source': WATCH_POLICY + before})
        self.driver.set_script_timeout(20)
        self.driver.get(self.url)
        wait(self.driver, lambda d: d.execute_script(
                "return document.readyState == 'complete' "
                "&& Boolean(window.DropScan)"))

    def tearDown(self):
        if hasattr(self, 'driver'):
            self.assertEqual(
                self.driver.execute_script("return window.violations"), [])

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def decode(self, content):
        return self.driver.execute_async_script(DECODE, data_url(content))

    def test_decode_qr_code(self):
        "The QR code of a seal gives its text, normalised as the server does"
        self.start()
        self.assertEqual(
            self.decode(png(qr_image(SEAL))),
            {'text': SEAL, 'seal': 'AB123456'})

    def test_decode_code128(self):
        "The Code 128 barcode of a seal gives its number"
        self.start()
        content = barcode.generate_png('code128', 'ZX-700100').getvalue()
        self.assertEqual(
            self.decode(content), {'text': 'ZX-700100', 'seal': 'ZX700100'})

    def test_image_without_code(self):
        "An image without any code is refused, with no text"
        self.start()
        result = self.decode(png(Image.new('L', (300, 200), 255)))
        self.assertNotIn('text', result)
        self.assertTrue(result['error'])

    def test_button_with_camera(self):
        "With the camera's API the Scan button stands beside the seal field"
        self.start()
        scan = self.find('#scan-start')
        self.assertTrue(scan.is_displayed())
        self.assertEqual(scan.text, "Scan")
        self.assertFalse(self.find('#scanner').is_displayed())
        screenshot(self.driver, 'intake_scan')

    def test_no_camera_api(self):
        "Without the camera's API there is no Scan button, typing stays"
        self.start(before=NO_CAMERA_API)
        self.assertFalse(self.find('#scan-start').is_displayed())
        self.assertFalse(self.find('#scanner').is_displayed())
        self.find('#seal').send_keys('ZX700100')
        self.assertEqual(self.find('#seal').get_property('value'), 'ZX700100')

    def scan_fails(self, text):
        "Scan, and read text in a short message, the field ready for typing"
        self.find('#scan-start').click()
        message = self.find('#scan-message')
        wait(self.driver, lambda d: message.is_displayed())
        self.assertIn(text, message.text)
        self.assertIn('error', message.get_attribute('class'))
        self.assertFalse(self.find('#scanner').is_displayed())
        self.assertTrue(self.find('#scan-start').is_displayed())
        self.assertEqual(
            self.driver.switch_to.active_element.get_attribute('id'), 'seal')

    def test_camera_refused(self):
        "The camera is refused to the page: say how to allow it"
        self.start(chromium_with_camera(allowed=False))
        self.driver.execute_cdp_cmd('Browser.setPermission', {
                'permission': {'name': 'camera'}, 'setting': 'denied',
                'origin': self.url.removesuffix('/intake')})
        self.scan_fails("The camera is not allowed")

    def test_no_camera(self):
        "The phone has no camera that works: say to type"
        self.start(before=NO_CAMERA)
        self.scan_fails("The camera cannot be opened")

    def test_scan_with_camera(self):
        "Scan: the camera shows in the page, reads the seal, then closes"
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        video = f'{directory.name}/seal.y4m'
        camera_video(video, SEAL)
        self.start(chromium_with_camera(video))
        self.find('#scan-start').click()
        preview = self.find('#scanner video')
        wait(self.driver, lambda d: d.execute_script(
                "return arguments[0].readyState >= 2", preview))
        self.assertTrue(self.find('#scanner').is_displayed())
        self.assertFalse(self.find('#scan-start').is_displayed())
        screenshot(self.driver, 'intake_scan_camera')

        seal = self.find('#seal')
        wait(self.driver, lambda d: seal.get_property('value'))
        self.assertEqual(seal.get_property('value'), 'AB123456')
        self.assertFalse(self.find('#scanner').is_displayed())
        self.assertIn("Number scanned", self.find('#scan-message').text)
        self.assertEqual(
            self.driver.switch_to.active_element.get_attribute('id'),
            'item_count')
        self.assertIsNone(self.driver.execute_script(
                "return arguments[0].srcObject", preview))
        screenshot(self.driver, 'intake_scanned')
