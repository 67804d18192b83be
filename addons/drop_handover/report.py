# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import qrcode
from genshi.input import XML
from num2words import num2words
from qrcode.image.svg import SvgPathImage

from trytond.modules.drop_point.clock import company_time
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction


def in_words(number, language=None):
    "The number in words in the language (Tryton's code), else in English"
    language = language or Transaction().language or 'en'
    for lang in [language, language.split('_')[0]]:
        try:
            return num2words(number, lang=lang)
        except NotImplementedError:
            # num2words has no such language: try the next, then English
            pass
    return num2words(number, lang='en')


def qr_svg(text):
    """A QR code of the text as inline SVG: the report's converter fetches
    no data: URI, and markup, not text, passes the translator untouched"""
    image = qrcode.make(
        text, image_factory=SvgPathImage, border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return XML(image.to_string(encoding='unicode'))


def moment(value, company):
    "A stored (UTC) date and time, to the minute, on the company's clock"
    Lang = Pool().get('ir.lang')
    if value is None:
        return ''
    lang = Lang.get()
    return lang.strftime(company_time(value, company), lang.date + ' %H:%M')


class HandoverReport(Report):
    "The printed handover act, with its QR code to verify it"
    __name__ = 'drop.handover'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['in_words'] = in_words
        context['qr_svg'] = qr_svg
        context['moment'] = moment
        return context
