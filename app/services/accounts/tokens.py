"""API keys and ingest tokens: random secrets of which only a SHA-256 digest is stored.

A key is shown once, when it is made. Looking one up hashes the presented key and
finds the digest, so a stolen database reveals no usable key.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.models import ApiToken, User
from app.models.types import utcnow

KEY_BYTES = 20  # 40 hex characters, the length of Managair's DRF keys
PREFIX_CHARS = 8


@dataclass(frozen=True)
class IssuedToken:
    """A stored token and its secret, which exists only in this object."""

    token: ApiToken
    key: str


def digest(key: str) -> str:
    """Return the hex SHA-256 digest under which ``key`` is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new(session: Session, **fields: object) -> IssuedToken:
    key = secrets.token_hex(KEY_BYTES)
    token = ApiToken(digest=digest(key), prefix=key[:PREFIX_CHARS], **fields)
    session.add(token)
    session.flush()
    return IssuedToken(token, key)


def issue_user_key(
    session: Session, user: User, name: str = "login", login_id: int | None = None
) -> IssuedToken:
    """Create a new API key for ``user``, ending with the log-in ``login_id`` if given."""
    return _new(session, kind="user", user_id=user.id, name=name, login_id=login_id)


def issue_ingest_token(
    session: Session, organization_id: int | None, name: str = ""
) -> IssuedToken:
    """Create an ingest token for one organization's nodes, or deployment-wide (None)."""
    return _new(session, kind="ingest", organization_id=organization_id, name=name)


def find_active(session: Session, key: str, kind: str) -> ApiToken | None:
    """Return the unrevoked token of ``kind`` whose secret is ``key``, if any."""
    if not key:
        return None
    return session.scalars(
        select(ApiToken).where(
            ApiToken.digest == digest(key),
            ApiToken.kind == kind,
            ApiToken.revoked_at.is_(None),
        )
    ).one_or_none()


def user_for_key(session: Session, key: str) -> User | None:
    """Return the active user owning the API key ``key``, if any."""
    token = find_active(session, key, "user")
    if token is None or token.user_id is None:
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.is_active else None


def revoke(session: Session, *token_ids: int) -> None:
    """Revoke tokens; they stop working at once."""
    if token_ids:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id.in_(token_ids), ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_login_keys(session: Session, login_ids: list[int], now: datetime) -> None:
    """Revoke the API keys issued by the log-ins ``login_ids`` (their log-out)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.login_id.in_(login_ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_user_keys(
    session: Session, user_id: int, keep_login: int | None = None
) -> int:
    """Revoke every API key of a user but those of ``keep_login``; returns how many."""
    stmt = update(ApiToken).where(
        ApiToken.user_id == user_id,
        ApiToken.kind == "user",
        ApiToken.revoked_at.is_(None),
    )
    if keep_login is not None:
        stmt = stmt.where(
            or_(ApiToken.login_id.is_(None), ApiToken.login_id != keep_login)
        )
    result = session.execute(stmt.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
