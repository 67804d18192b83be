# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.i18n import gettext
from trytond.modules.drop_point.portal import Screen
from trytond.pool import PoolMeta


class Portal(metaclass=PoolMeta):
    __name__ = 'drop.portal'

    @classmethod
    def screens(cls, web_user):
        "A point's manager reads its partner's statements"
        screens = super().screens(web_user)
        partners = {line.point.party for line in web_user.drop_points
            if line.role == 'manager' and line.point.agent}
        if partners:
            screens.append(Screen(
                    gettext('drop_commission.msg_screen_statements',
                        partner=', '.join(
                            sorted(p.rec_name for p in partners))),
                    '/statements',
                    gettext('drop_commission.msg_screen_statements_help')))
        return screens
