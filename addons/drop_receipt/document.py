# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The receipt as a document: what the customer reads, signs and downloads.

It is rendered from one template, in one language, with nothing that changes
while the order goes on (no state, nothing paid): the SHA-256 of that
rendering is what a signature keeps, so rendering it again proves what was
signed."""
import hashlib

import qrcode
from qrcode.image.svg import SvgPathImage
from weasyprint import HTML

from trytond.i18n import gettext
from trytond.modules.drop_point.clock import company_time
from trytond.modules.drop_point.portal import environment
from trytond.modules.drop_point.words import amount_in_words
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

DOCUMENT = 'drop_receipt/document.html'
PDF = 'drop_receipt/receipt_pdf.html'


def qr_svg(text):
    "A QR code of the text, as SVG markup"
    image = qrcode.make(
        text, image_factory=SvgPathImage, border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return image.to_string(encoding='unicode')


class Document:
    "The receipt of a bag's order in a language"

    def __init__(self, bag, language):
        self.bag_id = bag.id
        self.language = language

    def _context(self):
        pool = Pool()
        Bag = pool.get('drop.bag')
        Configuration = pool.get('drop.receipt.configuration')
        Lang = pool.get('ir.lang')
        bag = Bag(self.bag_id)
        lang = Lang.get(self.language)

        def money(amount, currency):
            return lang.currency(amount, currency, symbol=True, grouping=True)

        def number(value):
            "A quantity with no trailing zeros"
            text = ('%f' % value).rstrip('0').rstrip('.')
            return text.replace('.', lang.decimal_point)

        def moment(value):
            if not value:
                return ''
            return lang.strftime(
                company_time(value, bag.company), lang.date + ' %H:%M')

        return dict(
            bag=bag, order=bag.order, _=gettext, money=money, moment=moment,
            number=number,
            in_words=lambda amount, currency: amount_in_words(
                amount, currency.code, self.language),
            terms=Configuration(1).terms or '')

    def render(self, template=DOCUMENT, **values):
        "The template rendered in the document's language"
        with Transaction().set_context(language=self.language), \
                without_check_access():
            context = self._context()
            context.update(values)
            return environment().get_template(template).render(**context)

    @property
    def html(self):
        "The document itself, as signed"
        return self.render()

    @property
    def digest(self):
        "The SHA-256 of the document, in hexadecimal"
        return hashlib.sha256(self.html.encode('utf-8')).hexdigest()

    def pdf(self, url, signature=None, due=None):
        """The document printed: with the QR code of its link, the mark of
        its signature and what is left to pay"""
        html = self.render(
            PDF, document=self.html, qr=qr_svg(url), url=url,
            signature=signature, due=due)
        return HTML(string=html).write_pdf()
