# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Portal sessions: a wrong login costs the same work whether the e-mail has
an account or not; a session ends after a shift without use, or when the
point's manager ends the staff's sessions."""
import datetime as dt
import secrets

import trytond.config as config
from trytond import backend
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

# a session's use is written down at most that often
TOUCH_EVERY = dt.timedelta(minutes=5)
_dummy_hash = None


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def authenticate(cls, email, password):
        """Also verify the password given for an unknown e-mail, against a
        hash of the same kind: how long a wrong login takes does not tell
        which e-mails have an account (web_user hashes for known ones only;
        both count the attempt)"""
        user = super().authenticate(email, password)
        if not user and not cls.search([('email', '=', email.lower())]):
            cls.check_password(password, cls._dummy_hash())
        return user

    @classmethod
    def _dummy_hash(cls):
        "The hash of a random password, made as the users' are, once"
        global _dummy_hash
        if _dummy_hash is None:
            _dummy_hash = cls.hash_password(secrets.token_urlsafe(16))
        return _dummy_hash


class Session(metaclass=PoolMeta):
    __name__ = 'web.user.session'

    @classmethod
    def idle_timeout(cls):
        "How long a session lives without use: a shift"
        return dt.timedelta(seconds=config.getint(
                'drop_point', 'session_idle', default=12 * 60 * 60))

    @property
    def expired(self):
        """Also once unused longer than a shift, and once older than
        [session] web_timeout however much it is used"""
        now = dt.datetime.now()
        return (super().expired
            or now - self.last_modified_at > self.idle_timeout()
            or now - self.create_date > self.timeout())

    @classmethod
    def touch(cls, key):
        """Write down the session's use, at most every few minutes, so that
        a session in use stays alive: in a transaction of its own when the
        request's is read-only"""
        sessions = cls.search([('key', '=', key)])
        now = dt.datetime.now()
        if not sessions or now - sessions[0].last_modified_at < TOUCH_EVERY:
            return
        transaction = Transaction()
        if not transaction.readonly:
            cls.write(sessions, {})
            return
        try:
            with transaction.new_transaction():
                cls.write(cls.browse([s.id for s in sessions]), {})
        except backend.DatabaseOperationalError:
            # another request of the session wrote it down meanwhile
            pass

    @classmethod
    def end_staff_sessions(cls, points):
        "End every session of the points' staff, on every device"
        cls.delete(cls.search([
                    ('user.drop_points.point', 'in', [p.id for p in points]),
                    ]))
