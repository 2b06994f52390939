"""Who presents a credential: the user, the log-in it belongs to and the user's roles,
read in one statement.

Every request that sends ``Authorization: Token <key>`` or a session cookie needs
them all before the view runs. Read one by one they were four statements (the key
or the session's revocation, the user, the log-in, the memberships), each a round
trip and most of a millisecond of SQLAlchemy; joined they are one. The checks stay
those of :mod:`app.services.accounts.logins`: an active user, and a log-in still
live with the user's current password.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.models import ApiToken, Login, RevokedToken, User
from app.services import access
from app.services.access import Actor
from app.services.accounts import logins, tokens


@dataclass(frozen=True)
class Holder:
    """A user who presented a valid credential, and what they may do."""

    user: User
    actor: Actor


@dataclass(frozen=True)
class KeyHolder(Holder):
    """The holder of a valid API key, and the key."""

    token: ApiToken


def key_holder(session: Session, key: str, secret: str) -> KeyHolder | None:
    """Return the holder of the user API key ``key``, or None when it is not valid.

    Valid: the key is unrevoked, its user active, and the log-in that issued it
    (if any) still live with the user's current password.

    Args:
        session: the database session.
        key: the presented secret.
        secret: the app's ``SECRET_KEY``, which keys the log-ins' password
            fingerprints.
    """
    if not key:
        return None
    row = session.execute(
        select(ApiToken, User, Login, access.roles_column(User.id))
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(Login, Login.id == ApiToken.login_id)
        .where(
            ApiToken.digest == tokens.digest(key),
            ApiToken.kind == "user",
            ApiToken.revoked_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    token, user, login, roles = row
    if not _valid(user, login, secret, login_required=token.login_id is not None):
        return None
    return KeyHolder(user, access.actor_with_roles(user, roles), token)


def session_holder(
    session: Session, user_id: int, login_id: object, session_id: str, secret: str
) -> Holder | None:
    """Return the holder of a browser session, or None when it is not valid.

    Valid: the session was not revoked (logged out), its user is active, and its
    log-in ``login_id`` is live with the user's current password.
    """
    if isinstance(login_id, bool) or not isinstance(login_id, int):
        return None
    revoked = exists().where(RevokedToken.jti == session_id)
    row = session.execute(
        select(revoked, User, Login, access.roles_column(User.id))
        .select_from(User)
        .outerjoin(Login, Login.id == login_id)
        .where(User.id == user_id)
    ).one_or_none()
    if row is None:
        return None
    is_revoked, user, login, roles = row
    if is_revoked or not _valid(user, login, secret, login_required=True):
        return None
    return Holder(user, access.actor_with_roles(user, roles))


def _valid(user: User, login: Login | None, secret: str, login_required: bool) -> bool:
    if not user.is_active:
        return False
    return not login_required or logins.is_live(login, user, secret)
