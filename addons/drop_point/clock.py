# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"Times as people read them: the stored UTC on the company's clock"
from trytond.tools import timezone as tz


def company_time(value, company=None):
    "The stored (UTC) date and time on the company's clock (else server's)"
    if value is None:
        return None
    zone = (tz.get_tzinfo(company.timezone)
        if company and company.timezone else tz.SERVER)
    return value.replace(tzinfo=tz.UTC).astimezone(zone)
