# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Every message a module's code or templates name exists, with its Russian
translation."""
import pathlib
import re
import unittest
from xml.etree import ElementTree

import polib

ADDONS = pathlib.Path(__file__).resolve().parents[1] / 'addons'
MESSAGE = re.compile(r"\b(?:(\w+)\.)?(msg_\w*[a-z0-9])\b(?!['\"]?\s*\+)")


def modules():
    return sorted(p for p in ADDONS.iterdir() if (p / 'tryton.cfg').exists())


def message_ids(module):
    "The ids of the module's messages, from all its XML files"
    return {r.get('id')
        for path in module.glob('*.xml')
        for r in ElementTree.parse(path).iter('record')
        if r.get('model') == 'ir.message'}


class MessagesTestCase(unittest.TestCase):

    def test_named_messages_exist(self):
        "Every msg_ id used in code or templates is declared by its module"
        known = {m.name: message_ids(m) for m in modules()}
        for module in modules():
            sources = [p for p in module.rglob('*')
                if p.suffix in {'.py', '.html'} and 'tests' not in p.parts]
            for path in sources:
                for prefix, id_ in MESSAGE.findall(path.read_text()):
                    owner = prefix if prefix in known else module.name
                    with self.subTest(path=str(path), message=id_):
                        self.assertIn(id_, known[owner])

    def test_messages_translated_to_russian(self):
        "Every message of a module has a Russian translation"
        for module in modules():
            po = polib.pofile(str(module / 'locale' / 'ru.po'))
            translated = {e.msgctxt.rsplit(':', 1)[-1] for e in po
                if e.msgctxt.startswith('model:ir.message,text:')
                and e.msgstr and 'fuzzy' not in e.flags}
            for id_ in message_ids(module):
                with self.subTest(module=module.name, message=id_):
                    self.assertIn(id_, translated)

    def test_no_fuzzy_or_empty_translation(self):
        "The Russian catalogues have no fuzzy or empty entry"
        for module in modules():
            po = polib.pofile(str(module / 'locale' / 'ru.po'))
            for entry in po:
                with self.subTest(module=module.name, entry=entry.msgctxt):
                    self.assertTrue(entry.msgstr)
                    self.assertNotIn('fuzzy', entry.flags)
