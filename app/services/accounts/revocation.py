"""Revoked bearer tokens and browser sessions, kept until they would have expired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.models import RevokedToken


def revoke(
    session: Session, jti: str, kind: str, user_id: int | None, expires_at: datetime
) -> None:
    """Record that the credential ``jti`` no longer verifies (idempotent).

    Args:
        session: the database session.
        jti: the token's ``jti`` claim or the session's id.
        kind: ``"access"``, ``"refresh"`` or ``"session"``.
        user_id: the credential's user, if known.
        expires_at: when the credential would have expired anyway.
    """
    session.execute(
        insert(RevokedToken)
        .values(jti=jti, kind=kind, user_id=user_id, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[RevokedToken.jti])
    )


def is_revoked(session: Session, *jtis: str | None) -> bool:
    """Tell whether any of ``jtis`` (None values ignored) has been revoked."""
    wanted = [j for j in jtis if j]
    if not wanted:
        return False
    found = session.scalar(
        select(RevokedToken.jti).where(RevokedToken.jti.in_(wanted)).limit(1)
    )
    return found is not None


def prune(session: Session, now: datetime) -> int:
    """Delete the entries of credentials that have expired; returns how many."""
    result = session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
