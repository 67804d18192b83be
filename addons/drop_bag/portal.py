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
            screens.append(Screen(
                    gettext('drop_bag.msg_screen_intake',
                        point=line.point.code),
                    f'/point/{line.point.id}/intake',
                    gettext('drop_bag.msg_screen_intake_help')))
            screens.append(Screen(
                    gettext('drop_bag.msg_screen_bags',
                        point=line.point.code),
                    f'/point/{line.point.id}/bags',
                    gettext('drop_bag.msg_screen_bags_help')))
        return screens
