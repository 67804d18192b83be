# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import os

from trytond.modules.drop_point import portal as portal_
from trytond.modules.drop_point.portal import route
from trytond.pool import Pool
from trytond.protocols.wrappers import HTTPStatus
from trytond.transaction import without_check_access

portal_.register_module('drop_handover', os.path.dirname(__file__))


@route('/<act_id>/<token>', login_required=False, prefix='/act')
def act(portal, act_id, token):
    "The read-only page of a printed act, behind the link of its QR code"
    Handover = Pool().get('drop.handover')
    # the token is the only credential: no access rule applies
    with without_check_access():
        record = Handover.from_verification(act_id, token)
        response = portal.render(
            'drop_handover/act.html',
            status=HTTPStatus.OK if record else HTTPStatus.NOT_FOUND,
            act=record)
    # never leak the token to another site
    response.headers['Referrer-Policy'] = 'no-referrer'
    return response
