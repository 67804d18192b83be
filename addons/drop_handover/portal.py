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
        if web_user.courier:
            screens.insert(0, Screen(
                    gettext('drop_handover.msg_screen_courier'), '/courier',
                    gettext('drop_handover.msg_screen_courier_help')))
        for line in web_user.drop_points:
            point = line.point
            screens.append(Screen(
                    gettext('drop_handover.msg_screen_handover',
                        point=point.code),
                    f'/point/{point.id}/handover',
                    gettext('drop_handover.msg_screen_handover_help')))
            screens.append(Screen(
                    gettext('drop_handover.msg_screen_acts', point=point.code),
                    f'/point/{point.id}/acts',
                    gettext('drop_handover.msg_screen_acts_help')))
        return screens
