# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import qrcode
from genshi.input import XML
from qrcode.image.svg import SvgPathImage

from trytond.modules.drop_point.clock import company_time
from trytond.modules.drop_point.words import in_words
from trytond.pool import Pool
from trytond.report import Report


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
