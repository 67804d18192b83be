# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The back office: the Tryton web client served by trytond."""
import re
import unittest

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from trytond.modules.drop_point import demo

from .browser import chromium, forget, screenshot, wait
from .server import server
from .test_intake_concurrency import Clerk


class SaoBrowserTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = server()
        cls.driver = chromium(size=(1280, 900))
        cls.addClassCleanup(cls.driver.quit)

    def setUp(self):
        forget(self.driver, self.server.url)

    def visible(self, css, timeout=30):
        return wait(self.driver, EC.visibility_of_element_located(
                (By.CSS_SELECTOR, css)), timeout=timeout)

    def sign_in(self):
        driver = self.driver
        driver.get(f'{self.server.url}/#{self.server.database}')
        # the client lists the server's databases, the URL chose ours
        wait(driver, lambda d: any(
                e.is_displayed() and e.get_attribute('value')
                == self.server.database
                for e in d.find_elements(By.ID, 'database')))
        self.visible('#login').send_keys(demo.BACK_OFFICE)
        self.visible('#login').send_keys(Keys.ENTER)
        password = self.visible('input[type=password]')
        password.send_keys(demo.PASSWORD)
        password.send_keys(Keys.ENTER)

    def menu_entry(self, name, count=1):
        """The last menu entry of that name, once there are count of them
        (a leaf may share its root's name)"""
        xpath = f"//*[@id='menu']//*[text()='{name}']"
        entries = wait(self.driver, lambda d: (
                len(found := d.find_elements(By.XPATH, xpath)) >= count
                and found))
        return entries[-1]

    def test_every_screen_opens(self):
        "Each list of the project's menus opens without a client error"
        driver = self.driver
        self.sign_in()
        for root, leaves in [
                ("Пункты приёма", [
                        "Пункты приёма", "Пакеты", "Акты приёма-передачи",
                        "Сотрудники", "Пользователи портала"]),
                ("Пакеты", ["Табло забора", "Расхождения"]),
                ("Настройки", ["Типы пунктов", "Передача пакетов"]),
                ("SMS-сообщения", ["Сообщения", "Одноразовые коды"]),
                ("Комиссии", [
                        "Ведомости партнёров", "Агенты", "Комиссии"]),
                ]:
            self.menu_entry(root).click()
            for leaf in leaves:
                with self.subTest(screen=leaf):
                    entry = self.menu_entry(leaf, 2 if leaf == root else 1)
                    ActionChains(driver).double_click(entry).perform()
                    wait(driver, EC.presence_of_element_located((
                                By.XPATH,
                                "//*[contains(@class, 'tab-pane') and "
                                "contains(@class, 'active')]"
                                "//*[contains(@class, 'title-short') and "
                                f"text()='{leaf}']")))
                    wait(driver, EC.invisibility_of_element_located(
                            (By.ID, 'processing')))
                    errors = [e['message'] for e in driver.get_log('browser')
                        if e['level'] == 'SEVERE'
                        and e['source'] == 'javascript']
                    self.assertEqual(errors, [])
                    self.assertTrue(driver.find_elements(
                            By.CSS_SELECTOR, '#tabcontent .treeview, '
                            '#tabcontent .form'))
                    screenshot(driver, f'sao_screen_{leaf}')

    def test_back_office_login_and_drop_points(self):
        "A dispatcher signs into the web client, in Russian, and lists the "
        "drop points"
        driver = self.driver
        self.sign_in()
        menu = wait(driver, EC.visibility_of_element_located(
                (By.XPATH, "//*[@id='menu']//*[text()='Пункты приёма']")))
        screenshot(driver, 'sao_menu')
        menu.click()
        wait(driver, EC.visibility_of_element_located(
                (By.XPATH, "(//*[@id='menu']//*[text()='Пункты приёма'])[2]")
                )).click()
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait(driver, EC.visibility_of_element_located(
                (By.XPATH, "//*[@id='tabcontent']//td//*[text()='PVZ-01']")))
        screenshot(driver, 'sao_drop_points')
        content = driver.find_element(By.ID, 'tabcontent').text
        self.assertIn("Ателье", content)
        for code, name, *_ in demo.POINTS:
            self.assertIn(code, content)
            self.assertIn(name, content)

    def dialog_text(self):
        "The text of the dialogs on screen"
        return '\n'.join(e.text for e in self.driver.find_elements(
                By.CSS_SELECTOR, '.modal-dialog') if e.is_displayed())

    def dialog_field(self, name):
        return self.visible(
            f".modal-dialog input[name='{name}'], "
            f".modal-dialog textarea[name='{name}']")

    def test_factory_reception_with_a_scanner(self):
        "The factory scans seals: Enter finds the bag, Enter receives it"
        driver = self.driver
        self.sign_in()
        self.menu_entry("Пункты приёма").click()
        self.menu_entry("Пакеты").click()
        self.menu_entry("Приёмка пакетов").click()
        driver.switch_to.active_element.send_keys(Keys.ENTER)

        # the scanner types the seal as printed and presses Enter
        seal = self.dialog_field('seal')
        seal.send_keys('pl-200101', Keys.ENTER)
        wait(driver, lambda d: self.dialog_field('item_count')
            .get_attribute('value') == '4')
        self.assertIn("Ателье", self.dialog_field(
                'drop_point').get_attribute('value'))
        counted = self.dialog_field('counted_items')
        counted.send_keys('4', Keys.ENTER)
        wait(driver, lambda d: self.dialog_field('last').get_attribute(
                'value') == "Пакет PL200101 принят: пломба цела, вещей: 4.")

        # a bag with one item less: the note is required
        self.dialog_field('seal').send_keys('PL100202', Keys.ENTER)
        counted = self.dialog_field('counted_items')
        counted.send_keys('0', Keys.ENTER)
        wait(driver, lambda d: d.find_elements(
                By.CSS_SELECTOR, '.modal-dialog .alert-danger'))
        self.dialog_field('note').send_keys("Пакет пустой")
        screenshot(driver, 'sao_reception_check')
        counted.send_keys(Keys.ENTER)
        wait(driver, lambda d: self.dialog_field('last').get_attribute(
                'value') == "Пакет PL100202 принят с расхождением: "
            "на фабрике посчитано вещей: 0, при приёме записано: 1.")
        screenshot(driver, 'sao_reception')

        # an unknown seal is refused by name
        self.dialog_field('seal').send_keys('ZZ000000', Keys.ENTER)
        wait(driver, lambda d: 'Нет пакета, ждущего приёмки, с пломбой '
            '«ZZ000000»' in self.dialog_text())
        rows = self.server.sql(
            "SELECT seal, state, counted_items FROM drop_bag "
            "WHERE seal IN ('PL200101', 'PL100202') ORDER BY seal")
        self.assertEqual(
            rows, [('PL100202', 'received', 0), ('PL200101', 'received', 4)])

    def act_to_the_factory(self):
        "The courier hands what he holds to the factory, over the portal"
        courier = Clerk(self.server, demo.COURIER)
        page = courier.get('/courier')
        destination = re.search(
            r'name="destination" value="(factory-\d+)"', page)
        if destination:
            form = page[destination.start():]
            form = form[:form.index('</form>')]
            status, page = courier.post(
                '/courier/deliver', destination=destination[1],
                bag=re.findall(r'name="bag" value="(\d+)"', form))
            self.assertEqual(status, 200, page)
        (number,), = self.server.sql(
            "SELECT max(number) FROM drop_handover WHERE state = 'sent' "
            "AND direction = 'to_factory'")
        return number

    def test_factory_takes_an_act_with_discrepancies(self):
        "The factory opens the courier's act and confirms it from its form"
        driver = self.driver
        number = self.act_to_the_factory()
        self.sign_in()
        self.menu_entry("Пункты приёма").click()
        entry = self.menu_entry("Акты приёма-передачи")
        entry.click()
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        row = wait(driver, EC.visibility_of_element_located((By.XPATH,
                    f"//*[@id='tabcontent']//td//*[text()='{number}']")))
        ActionChains(driver).double_click(row).perform()
        button = wait(driver, EC.element_to_be_clickable((By.XPATH,
                    "//*[@id='tabcontent']//button"
                    "[contains(., 'Подтвердить с расхождениями')]")))
        screenshot(driver, 'sao_act_sent')
        button.click()
        wait(driver, lambda d: 'Отсутствует' in self.dialog_text()
            and 'Нет в акте' in self.dialog_text())
        screenshot(driver, 'sao_act_take')
        wait(driver, EC.element_to_be_clickable((By.XPATH,
                    "//*[contains(@class, 'modal-dialog')]//button"
                    "[contains(., 'Подтвердить приём')]"))).click()
        wait(driver, lambda d: self.server.sql(
                "SELECT state FROM drop_handover WHERE number = %s",
                number) == [('done',)])
        errors = [e['message'] for e in driver.get_log('browser')
            if e['level'] == 'SEVERE' and e['source'] == 'javascript']
        self.assertEqual(errors, [])
        screenshot(driver, 'sao_act_done')
