"""Retention: drop expired sample chunks and purge delivered outbox rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.services.access import Actor

_DROP_CHUNKS = text(
    "SELECT count(*) FROM drop_chunks('samples', "
    "older_than => now() - make_interval(days => :days))"
)
_PURGE_OUTBOX = text(
    "DELETE FROM outbox WHERE delivered_at IS NOT NULL "
    "AND delivered_at < now() - make_interval(days => :days)"
)


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run removed."""

    sample_chunks_dropped: int
    outbox_rows_purged: int


def apply(
    session: Session, actor: Actor, *, samples_days: int, outbox_days: int
) -> RetentionResult:
    """Remove what is older than the retention periods.

    Args:
        session: the job's session (not committed here).
        actor: must be SYSTEM.
        samples_days: drop sample chunks entirely older than this; 0 keeps all.
        outbox_days: delete outbox rows delivered longer ago than this.

    Returns:
        Chunks dropped and outbox rows purged.

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the jobs process applies retention.")
    chunks = 0
    if samples_days > 0:
        chunks = int(session.scalar(_DROP_CHUNKS, {"days": samples_days}) or 0)
    purged = session.execute(_PURGE_OUTBOX, {"days": outbox_days})
    return RetentionResult(chunks, int(getattr(purged, "rowcount", 0) or 0))
