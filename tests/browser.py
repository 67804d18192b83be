# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Headless Chromium (Debian's chromium and chromium-driver) for the tests."""
import os
import pathlib
import tempfile

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
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
