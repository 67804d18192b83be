# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The customer's e-mail notices, sent by Tryton's notification_email when
the customer has an address: the report is the e-mail, its triggers are the
bag's steps (order confirmed, back at the point, issued), each firing once
as the bag enters the state.  They are plain text, as the text messages:
an HTML e-mail's plain part is wrapped by html2text, which breaks links at
their hyphens."""
from trytond.report import Report


class NoticeReport(Report):
    "The e-mail to the customer about the bag's order"
    __name__ = 'drop.receipt.notice'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['notice'] = lambda bag: bag.email_notice()
        return context
