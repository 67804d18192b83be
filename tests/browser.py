# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Headless Chromium (Debian's chromium and chromium-driver) for the tests."""
import json
import os
import pathlib
import re
import tempfile
import unittest

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / 'var' / 'screenshots'
PHONE = (390, 844)


def chromium(size=PHONE, language='en-US', arguments=()):
    # never let Selenium look for a driver on the network
    os.environ.setdefault('SE_OFFLINE', 'true')
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for argument in [
            '--headless=new', '--no-sandbox', '--disable-gpu',
            '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--disable-dev-shm-usage',
            f'--window-size={size[0]},{size[1]}', f'--lang={language}',
            f'--user-data-dir={tempfile.mkdtemp(prefix="chromium-")}',
            *arguments]:
        options.add_argument(argument)
    options.add_experimental_option(
        'prefs', {'intl.accept_languages': language})
    if size == PHONE:
        options.add_experimental_option('mobileEmulation', {
                'deviceMetrics': {
                    'width': size[0], 'height': size[1], 'pixelRatio': 2}})
    return webdriver.Chrome(
        service=Service('/usr/bin/chromedriver'), options=options)


def forget(driver, origin):
    "Leave the page and clear the origin's cookies and storage"
    driver.get('about:blank')
    driver.execute_cdp_cmd('Network.clearBrowserCookies', {})
    driver.execute_cdp_cmd('Storage.clearDataForOrigin', {
            'origin': origin, 'storageTypes': 'all'})


def wait(driver, condition, timeout=20):
    return WebDriverWait(driver, timeout).until(condition)


def screenshot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f'{name}.png'))


def submitted(page):
    """Wait condition: the page element is gone, a new page is loaded.

    Chromium may answer "node does not belong to the document" rather than
    "stale element" while the old page goes away: both mean it is gone."""
    def condition(driver):
        try:
            page.is_enabled()
        except WebDriverException:
            return driver.execute_script(
                "return document.readyState") == 'complete'
        return False
    return condition


class PhoneTestCase(unittest.TestCase):
    """One phone-size browser for the tests of a class, on the demo server,
    its cookies and storage cleared before each test"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from .server import server
        cls.server = server()
        cls.driver = chromium()
        cls.addClassCleanup(cls.driver.quit)

    def setUp(self):
        forget(self.driver, self.server.url)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def submit(self, button):
        "Click a form's button and wait for the next page"
        page = self.find('html')
        self.find(button).click()
        wait(self.driver, submitted(page))

    def follow(self, text):
        "Click the link of that text and wait for its page"
        page = self.find('html')
        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()
        wait(self.driver, submitted(page))

    def sign_in(self, email, password=None):
        "Sign in to the portal in English, from a clean session"
        from trytond.modules.drop_point import demo
        self.driver.delete_all_cookies()
        self.driver.get(f'{self.server.portal}/login')
        self.submit('#lang-en')
        self.find('#email').send_keys(email)
        self.find('#password').send_keys(password or demo.PASSWORD)
        self.submit('#submit')

    def last_code(self, phone):
        "The one-time code of the last message to the phone, in the outbox"
        outbox = self.server.directory / 'sms-outbox.jsonl'
        texts = [json.loads(line) for line in outbox.read_text().splitlines()]
        text = [m['text'] for m in texts if m['phone'] == phone][-1]
        return re.search(r'\d{6}', text).group()

    def assert_fits(self):
        "Nothing wider than the phone: no sideways scrolling"
        width = self.driver.execute_script(
            'return document.documentElement.scrollWidth')
        self.assertLessEqual(width, PHONE[0])
