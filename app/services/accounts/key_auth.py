"""Who presents an API key: the key, its user, its log-in and the user's roles, read
in one statement.

Every API request that sends ``Authorization: Token <key>`` needs all four before
the view runs. Read one by one they were four statements (the key, the user, the
log-in the key belongs to, the memberships), each a round trip and most of a
millisecond of SQLAlchemy; joined they are one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken, Login, User
from app.services import access
from app.services.access import Actor
from app.services.accounts import logins, tokens


@dataclass(frozen=True)
class KeyHolder:
    """A valid API key, its user and what that user may do."""

    token: ApiToken
    user: User
    actor: Actor


def authenticate(session: Session, key: str, secret: str) -> KeyHolder | None:
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
    if not user.is_active:
        return None
    if token.login_id is not None and not logins.is_live(login, user, secret):
        return None
    return KeyHolder(token, user, access.actor_with_roles(user, roles))
