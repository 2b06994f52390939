"""Password reset by mail: a signed, expiring key valid until the password changes.

The key names the user (``uid``, base 36 as in the reference's links) and a
fingerprint of the stored hash and last log-in, so it stops working once used
or once the user logs in, like Django's reset tokens. Resetting also verifies
the address (the user proved they read its mail) and ends every log-in of the
user (sessions, API keys, bearer tokens).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from hmac import compare_digest

from flask_babel import gettext

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import User
from app.services.accounts import logins, mail_throttle, signed
from app.services.accounts.mail_throttle import MailLimits
from app.services.accounts.password_policy import NewPassword, check_new_password
from app.services.accounts.passwords import fingerprint, hash_password

SALT = "airq.password-reset"
RESET_MAX_AGE_S = 3 * 24 * 3600
_DIGITS = string.digits + string.ascii_lowercase


@dataclass(frozen=True)
class ResetKey:
    """The two halves of a reset link: ``<uid>-<token>``."""

    uid: str
    token: str


@dataclass(frozen=True)
class ResetMail:
    """Whom to mail a reset link, and the link's key."""

    user: User
    key: ResetKey


def request_reset(
    session: Session,
    limits: MailLimits,
    email: str,
    address: str,
    now: datetime,
    secret: str,
) -> ResetMail | None:
    """Count a reset request from ``address``; return the mail to send, if any.

    Every request counts, found or not, so the limits tell nothing about which
    addresses have accounts. None: no active account uses ``email``, or it had
    its share of reset mails this window (the requester is answered alike).
    Flushes.

    Raises:
        ThrottledError: this client address asked too often (429).
    """
    if not mail_throttle.admit(
        session, limits, mail_throttle.PASSWORD_RESET, email, address, now
    ):
        return None
    user = find_for_reset(session, email)
    return ResetMail(user, reset_key(user, secret)) if user is not None else None


def find_for_reset(session: Session, email: str) -> User | None:
    """Return the active user with the address ``email``, if any."""
    return session.scalars(
        select(User).where(
            func.lower(User.email) == email.strip().lower(), User.is_active
        )
    ).first()


def reset_key(user: User, secret: str) -> ResetKey:
    """Return a new reset key for ``user``."""
    return ResetKey(
        _to_base36(user.id), signed.sign(secret, SALT, [user.id, _state(user, secret)])
    )


def user_for_reset(session: Session, key: ResetKey, secret: str) -> User:
    """Return the user the reset key was made for, if it is still valid.

    Raises:
        ValidationError: the key is forged, expired, used, or for another user.
    """
    payload = signed.unsign(secret, SALT, key.token, RESET_MAX_AGE_S)
    match payload:
        case [int(user_id), str(state)] if _to_base36(user_id) == key.uid.lower():
            user = session.get(User, user_id)
            if (
                user is not None
                and user.is_active
                and compare_digest(state, _state(user, secret))
            ):
                return user
    raise ValidationError(
        gettext(
            "The password reset link was invalid, possibly because it has "
            "already been used. Please request a new password reset."
        ),
        "/data/attributes/token",
    )


def reset_password(
    session: Session, key: ResetKey, new: NewPassword, secret: str
) -> User:
    """Set a new password with a reset key (flushes).

    Raises:
        ValidationError: the key is not valid, or the new password is weak or
            its two copies differ.
    """
    user = user_for_reset(session, key, secret)
    check_new_password(new, username=user.username, email=user.email)
    user.password_hash = hash_password(new.password1)
    user.email_verified = True
    logins.end_all(session, user.id)
    session.flush()
    return user


def parse_link_key(raw: str) -> ResetKey:
    """Split the ``<uid>-<token>`` of a reset link (the uid has no dash)."""
    uid, _, token = raw.partition("-")
    return ResetKey(uid, token)


def _state(user: User, secret: str) -> str:
    last = user.last_login.isoformat() if user.last_login else ""
    return fingerprint(user.id, f"{user.password_hash}|{last}", secret)


def _to_base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
        if number == 0:
            return digits
