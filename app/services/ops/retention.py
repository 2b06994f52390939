"""Retention: drop expired sample chunks and purge delivered outbox rows and alert messages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.services.access import Actor
from app.services.ops import database, storage

# Only whole chunks that end before both the retention age and the 10-minute level's
# watermark: buckets not yet aggregated keep their raw samples until they are. The
# end of the newest such chunk is where the raw samples start afterwards.
_DROP_BEFORE = text(
    "SELECT max(c.range_end) FROM timescaledb_information.chunks c "
    "WHERE c.hypertable_schema = current_schema() AND c.hypertable_name = 'samples' "
    "AND c.range_end <= least(now() - make_interval(days => :days), "
    "series_watermark('10m'))"
)
_DROP_CHUNKS = text(
    "SELECT count(*) FROM drop_chunks('samples', older_than => CAST(:before AS timestamptz))"
)
# The aggregate refreshes (Apache rollups and TSL continuous aggregates) read this
# and never recompute buckets below it from the raw samples that are gone.
_MARK_DROPPED = text(
    "UPDATE samples_retention "
    "SET dropped_before = greatest(dropped_before, CAST(:before AS timestamptz))"
)
_PURGE_OUTBOX = text(
    "DELETE FROM outbox WHERE delivered_at IS NOT NULL "
    "AND delivered_at < now() - make_interval(days => :days)"
)
# The alerts' messages are an outbox too: delivered ones are only history (the quiet
# period looks back minutes), and without this they grew by one row per member and alert.
_PURGE_ALERT_MESSAGES = text(
    "DELETE FROM alert_notifications WHERE delivered_at IS NOT NULL "
    "AND delivered_at < now() - make_interval(days => :days)"
)


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run removed."""

    sample_chunks_dropped: int
    outbox_rows_purged: int
    alert_messages_purged: int = 0


def apply(
    session: Session, actor: Actor, *, samples_days: int, outbox_days: int
) -> RetentionResult:
    """Remove what is older than the retention periods.

    Args:
        session: the job's session (not committed here).
        actor: must be SYSTEM.
        samples_days: drop sample chunks entirely older than this; 0 keeps all.
            The aggregates of the dropped range are kept.
        outbox_days: delete outbox rows and alert messages delivered longer ago
            than this.

    Returns:
        Chunks dropped, outbox rows and alert messages purged.

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the jobs process applies retention.")
    chunks = 0
    if samples_days > 0 and database.timescale_info(session).edition == "timescale":
        storage.limit_refresh(session, samples_days)
    if samples_days > 0:
        before = session.scalar(_DROP_BEFORE, {"days": samples_days})
        if before is not None:
            chunks = int(session.scalar(_DROP_CHUNKS, {"before": before}) or 0)
            session.execute(_MARK_DROPPED, {"before": before})
    purged = session.execute(_PURGE_OUTBOX, {"days": outbox_days})
    messages = session.execute(_PURGE_ALERT_MESSAGES, {"days": outbox_days})
    return RetentionResult(
        chunks,
        int(getattr(purged, "rowcount", 0) or 0),
        int(getattr(messages, "rowcount", 0) or 0),
    )
