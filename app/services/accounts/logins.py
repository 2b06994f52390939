"""Log-ins as one unit: what a log-in issued (session, API key, bearer pair) ends together.

Each credential names its log-in, so log-out by any one of them ends the others
too, and "log out everywhere" or a password change ends whole log-ins rather
than whichever credential kind the request happened to present. A log-in also
keeps the password fingerprint it was made with: a password changed any other
way (reset, back office) ends every log-in without each path having to know.

API keys are the only credential that never expires, so the live keys of a
user are capped: a new key beyond the cap ends the log-ins of the oldest ones.
"""

from __future__ import annotations

from datetime import datetime
from hmac import compare_digest

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.models import ApiToken, Login, User
from app.models.types import utcnow
from app.services.accounts import tokens
from app.services.accounts.passwords import fingerprint


def start(session: Session, user: User, secret: str) -> Login:
    """Record a new log-in of ``user`` (flushes).

    Args:
        session: the database session.
        user: who logged in.
        secret: the app's ``SECRET_KEY``, which keys the password fingerprint.
    """
    login = Login(user_id=user.id, fingerprint=_fingerprint(user, secret))
    session.add(login)
    session.flush()
    return login


def is_current(session: Session, login_id: object, user: User, secret: str) -> bool:
    """Tell whether ``login_id`` is a live log-in of ``user`` with today's password."""
    return is_live(_get(session, login_id), user, secret)


def is_live(login: Login | None, user: User, secret: str) -> bool:
    """Tell whether ``login`` (already read) is a live log-in of ``user`` with
    today's password."""
    return (
        login is not None
        and login.ended_at is None
        and login.user_id == user.id
        and compare_digest(login.fingerprint, _fingerprint(user, secret))
    )


def has_ended(session: Session, login_id: object) -> bool:
    """Tell whether ``login_id`` names no log-in, or one that has ended."""
    login = _get(session, login_id)
    return login is None or login.ended_at is not None


def end(session: Session, login_id: int) -> None:
    """End one log-in and revoke its API keys (flushes)."""
    now = utcnow()
    session.execute(
        update(Login)
        .where(Login.id == login_id, Login.ended_at.is_(None))
        .values(ended_at=now)
    )
    tokens.revoke_login_keys(session, [login_id], now)


def end_all(session: Session, user_id: int, keep: int | None = None) -> None:
    """End every log-in of a user but ``keep``, and revoke every other API key (flushes).

    Keys that belong to no log-in (issued before log-ins were recorded, or by
    tooling) are revoked as well: only the kept log-in's keys survive.
    """
    now = utcnow()
    stmt = update(Login).where(Login.user_id == user_id, Login.ended_at.is_(None))
    if keep is not None:
        stmt = stmt.where(Login.id != keep)
    session.execute(stmt.values(ended_at=now))
    tokens.revoke_user_keys(session, user_id, keep_login=keep)


def renew(session: Session, login_id: int | None, user: User, secret: str) -> None:
    """Keep the log-in ``login_id`` valid after ``user``'s password changed (flushes)."""
    if login_id is None:
        return
    session.execute(
        update(Login)
        .where(Login.id == login_id, Login.user_id == user.id)
        .values(fingerprint=_fingerprint(user, secret))
    )


def cap_api_keys(session: Session, user_id: int, limit: int) -> int:
    """End the log-ins of a user's oldest live API keys beyond ``limit`` (flushes).

    Returns:
        How many keys were revoked.
    """
    surplus = session.execute(
        select(ApiToken.id, ApiToken.login_id)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.kind == "user",
            ApiToken.revoked_at.is_(None),
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .offset(limit)
    ).all()
    login_ids = [login_id for _, login_id in surplus if login_id is not None]
    if login_ids:
        session.execute(
            update(Login)
            .where(Login.id.in_(login_ids), Login.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    tokens.revoke(session, *(token_id for token_id, _ in surplus))
    return len(surplus)


def prune(session: Session, now: datetime) -> int:
    """Delete log-ins that ended before ``now``; returns how many.

    A credential whose log-in is gone no longer verifies, exactly as when it
    had ended, so this is safe at any time.
    """
    result = session.execute(
        delete(Login).where(Login.ended_at.is_not(None), Login.ended_at < now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _get(session: Session, login_id: object) -> Login | None:
    if isinstance(login_id, bool) or not isinstance(login_id, int):
        return None
    return session.get(Login, login_id)


def _fingerprint(user: User, secret: str) -> str:
    return fingerprint(user.id, user.password_hash, secret)
