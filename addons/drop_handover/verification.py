# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Whoever scans the QR code of a printed act can check it is genuine.

The token of the link is not stored: it is the HMAC of the act's database, id
and number under the key ``[drop_handover] secret``, else the database's own
(``server.secret``), so that every reprint carries the same QR code and the
acts' table gives no token away."""
import base64
import hashlib
import hmac

from trytond.config import config
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

TOKEN_BYTES = 24


def _secret():
    "The key of the acts' tokens; changing it voids printed QRs"
    Secret = Pool().get('server.secret')
    return Secret.key('drop_handover', 'secret').encode()


class Handover(metaclass=PoolMeta):
    __name__ = 'drop.handover'

    def verification_token(self):
        "The act's token: the same at every print, unknown without the secret"
        message = '\0'.join([
                'drop.handover', Transaction().database.name, str(self.id),
                self.number or ''])
        digest = hmac.new(_secret(), message.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(
            digest.digest()[:TOKEN_BYTES]).decode().rstrip('=')

    def verification_url(self):
        base = config.get(
            'drop_bag', 'public_url', default='http://localhost:8000')
        return '/'.join([
                base.rstrip('/'), Transaction().database.name, 'act',
                str(self.id), self.verification_token()])

    @classmethod
    def from_verification(cls, act_id, token):
        "The act of a verification link, or None: the token is the credential"
        try:
            act_id = int(act_id)
        except (TypeError, ValueError):
            return None
        if not 0 < act_id < 2 ** 63:
            return None
        acts = cls.search([('id', '=', act_id)], limit=1)
        if acts and token and hmac.compare_digest(
                acts[0].verification_token().encode(), token.encode()):
            return acts[0]
