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
        screens = super().screens(web_user)
        for line in web_user.drop_points:
            screens.insert(0, Screen(
                    gettext('drop_receipt.msg_screen_issue',
                        point=line.point.code),
                    f'/point/{line.point.id}/issue',
                    gettext('drop_receipt.msg_screen_issue_help')))
        return screens
