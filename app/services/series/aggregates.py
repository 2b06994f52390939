"""Refresh of the downsampled series (``samples_10m``, ``samples_1h``, ``samples_1d``,
``samples_1mo`` and ``samples_1d_local``, the local days of the analysis zone).

Apache edition: ``series_refresh()`` (``sql/timescale/definitions/series_refresh.sql``)
recomputes the buckets touched by logged writes below the watermark and advances the
watermark, then does the same for the local days; one call is one atomic step. TSL
edition: ``refresh_continuous_aggregate()`` per level, bottom up (the refresh policies
do the same on their own schedule).

Why a dirty log filled by statement triggers rather than an insert-time log written by
the ingest service: every writer is covered (batch and single ingest, webhooks, the
demo loader, psql, deletes and corrections), the log commits or rolls back with the
samples it describes, and a statement-level trigger reads its transition table once per
statement, so a 10,000-row batch costs one small INSERT. Measured on this machine: about
10 us per INSERT statement and well under 1 us per row (within run-to-run noise for
batches of 10^5-10^6 rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app.services.ops import database

SQL = Path(__file__).resolve().parents[3] / "sql" / "timescale"
#: The continuous aggregate of the local days (TSL), in the zone of series_day_zone().
LOCAL_DAYS_CAGG = SQL / "definitions" / "series_local_days_cagg.sql"
LEVEL_NAMES = ("10m", "1h", "1d", "1mo", "1d_local")
#: Parents before children: samples_1h and samples_1d_local read samples_10m,
#: samples_1mo reads samples_1d.
CAGGS = ("samples_10m", "samples_1h", "samples_1d", "samples_1mo", "samples_1d_local")

# -infinity (nothing materialized yet) comes back as NULL: psycopg has no datetime for it.
_REFRESH_ROLLUPS = text(
    "SELECT CASE WHEN isfinite(r.watermark_before) THEN r.watermark_before END "
    "AS watermark_before, "
    "CASE WHEN isfinite(r.watermark_after) THEN r.watermark_after END "
    "AS watermark_after, r.target, r.dirty_taken, r.dirty_left, "
    "r.rows_10m, r.rows_1h, r.rows_1d, r.rows_1d_local, r.local_days_behind "
    "FROM series_refresh(CAST(:until AS timestamptz), "
    "CAST(:max_span AS interval), CAST(:max_dirty AS integer)) r"
)
_WATERMARKS = text(
    "SELECT lvl, CASE WHEN isfinite(w) THEN w END "
    "FROM unnest(CAST(:levels AS text[])) AS lvl, series_watermark(lvl) AS w"
)
# The window starts where retention left raw samples (samples_retention, migration
# 0014): dropping chunks invalidates their range, and refreshing it would empty the
# aggregates that retention keeps.
_CALL_REFRESH = {
    name: text(  # sql-identifiers: vetted (constant names and columns)
        f"CALL refresh_continuous_aggregate('{name}', "
        "CAST(:start AS timestamptz), CAST(:end AS timestamptz))"
    )
    for name in CAGGS
}
_KEPT_FROM = text(
    "SELECT CASE WHEN isfinite(dropped_before) THEN dropped_before END "
    "FROM samples_retention"
)


@dataclass(frozen=True)
class RefreshStats:
    """What one refresh step did.

    Attributes:
        edition: ``apache`` or ``timescale``.
        watermark_before: the 10-minute level was complete below this (None: nothing).
        watermark_after: ... and is complete below this now.
        target: where the refresh is heading (the last 10-minute boundary before
            ``until``); call again until :attr:`caught_up`.
        dirty_taken: logged writes processed (Apache).
        dirty_left: logged writes still waiting (Apache).
        rows_10m: buckets written at 10 minutes (Apache).
        rows_1h: buckets written at 1 hour (Apache).
        rows_1d: buckets written at 1 day (Apache).
        rows_1d_local: local days written (Apache).
        local_days_behind: the local days need another step (Apache: the first
            refresh after migration 0009 fills their history in steps).
    """

    edition: str
    watermark_before: datetime | None
    watermark_after: datetime | None
    target: datetime
    dirty_taken: int = 0
    dirty_left: int = 0
    rows_10m: int = 0
    rows_1h: int = 0
    rows_1d: int = 0
    rows_1d_local: int = 0
    local_days_behind: bool = False

    @property
    def caught_up(self) -> bool:
        """Whether nothing is left to do up to :attr:`target`."""
        done = self.watermark_after is not None and self.watermark_after >= self.target
        return done and self.dirty_left == 0 and not self.local_days_behind


@dataclass(frozen=True)
class SeriesStatus:
    """Freshness of the aggregates: the watermark of each level, pending writes, and
    the zone whose local days ``samples_1d_local`` keeps."""

    edition: str
    watermarks: dict[str, datetime | None]
    dirty: int | None
    day_zone: str | None = None


def refresh(
    session: Session,
    *,
    until: datetime | None = None,
    max_span: timedelta | None = None,
    max_dirty: int | None = None,
) -> RefreshStats:
    """Run one refresh step of the series aggregates.

    If the session (or the connection it is bound to) is in a transaction, the step
    runs in it and the caller commits (Apache edition only). Otherwise it runs on the
    session's connection in autocommit mode: on the Apache edition one statement, so
    still atomic; on the TSL edition ``refresh_continuous_aggregate()``, which
    refuses to run inside a transaction.

    Args:
        session: the database session.
        until: refresh buckets that end before this (default: now).
        max_span: advance the watermark by at most this much (progress, bounded
            work; Apache: the TSL edition refreshes each level in one call).
        max_dirty: process at most this many logged writes (Apache).

    Returns:
        What the step did; repeat until ``caught_up``.

    Raises:
        RuntimeError: TSL edition and the session is inside a transaction.
    """
    if _in_transaction(session):
        conn = session.connection()
        if database.timescale_info(session).edition == "timescale":
            raise RuntimeError(
                "refresh_continuous_aggregate() cannot run in a transaction; "
                "call refresh() with a session that has not begun one"
            )
        return _refresh_rollups(conn, until, max_span, max_dirty)
    conn = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    if _edition(conn) == "timescale":
        return _refresh_caggs(conn, until)
    return _refresh_rollups(conn, until, max_span, max_dirty)


def status(session: Session) -> SeriesStatus:
    """Report the edition, each level's watermark and the pending logged writes."""
    edition = database.timescale_info(session).edition
    conn = session.connection()
    marks = _watermarks(conn, LEVEL_NAMES)
    dirty = None
    if edition != "timescale":
        dirty = int(
            conn.execute(text("SELECT count(*) FROM samples_dirty")).scalar_one()
        )
    zone = conn.execute(text("SELECT series_day_zone()")).scalar_one()
    return SeriesStatus(edition, {k: marks.get(k) for k in LEVEL_NAMES}, dirty, zone)


def rezone_local_days(session: Session, zone: str) -> None:
    """Keep ``samples_1d_local`` in ``zone`` from now on, in the session's transaction.

    The level is emptied (TSL: its continuous aggregate is rebuilt with the new zone);
    the next refresh, policy or job fills it again. Until then readers fold daily
    series from hours, which is slower but exact.

    Args:
        session: the database session (the caller commits).
        zone: an IANA zone name, e.g. ``ANALYSIS_TIMEZONE``.
    """
    edition = database.timescale_info(session).edition
    conn = session.connection()
    conn.execute(text("UPDATE series_day_zone SET zone = :zone"), {"zone": zone})
    if edition == "timescale":
        conn.execute(text("DROP MATERIALIZED VIEW IF EXISTS samples_1d_local"))
        # Plain text with format() placeholders: run by the driver without parameters.
        driver: Any = conn.connection.driver_connection
        driver.execute(LOCAL_DAYS_CAGG.read_text(encoding="utf-8"))
    else:
        conn.execute(text("TRUNCATE samples_1d_local, samples_1d_local_dirty"))
        conn.execute(
            text(
                "UPDATE samples_1d_local_watermark "
                "SET watermark = '-infinity', refreshed_at = NULL"
            )
        )


def _in_transaction(session: Session) -> bool:
    if session.in_transaction():
        return True
    bind = session.get_bind()
    return isinstance(bind, Connection) and bind.in_transaction()


def _watermarks(
    conn: Connection, levels: tuple[str, ...]
) -> dict[str, datetime | None]:
    rows = conn.execute(_WATERMARKS, {"levels": list(levels)}).all()
    marks: dict[str, datetime | None] = {str(level): mark for level, mark in rows}
    return marks


def _edition(conn: Connection) -> str:
    value = conn.execute(
        text("SELECT current_setting('timescaledb.license', true)")
    ).scalar()
    return str(value or "apache")


def _refresh_rollups(
    conn: Connection,
    until: datetime | None,
    max_span: timedelta | None,
    max_dirty: int | None,
) -> RefreshStats:
    row = (
        conn.execute(
            _REFRESH_ROLLUPS,
            {"until": until, "max_span": max_span, "max_dirty": max_dirty},
        )
        .mappings()
        .one()
    )
    return RefreshStats(
        edition="apache",
        watermark_before=row["watermark_before"],
        watermark_after=row["watermark_after"],
        target=row["target"],
        dirty_taken=int(row["dirty_taken"]),
        dirty_left=int(row["dirty_left"]),
        rows_10m=int(row["rows_10m"]),
        rows_1h=int(row["rows_1h"]),
        rows_1d=int(row["rows_1d"]),
        rows_1d_local=int(row["rows_1d_local"]),
        local_days_behind=bool(row["local_days_behind"]),
    )


def _refresh_caggs(conn: Connection, until: datetime | None) -> RefreshStats:
    """Refresh each level up to ``until``, bottom up, in one go.

    TimescaleDB refreshes only what its invalidation log and watermark say is
    missing, so there is no span to step through; the policies do the same.
    """
    target = conn.execute(
        text(
            "SELECT time_bucket(INTERVAL '10 minutes', "
            "coalesce(CAST(:until AS timestamptz), now()))"
        ),
        {"until": until},
    ).scalar_one()
    before = _watermarks(conn, ("10m",))["10m"]
    start = None
    if conn.execute(text("SELECT to_regclass('samples_retention')")).scalar():
        start = conn.execute(_KEPT_FROM).scalar()
    for name in CAGGS:
        conn.execute(_CALL_REFRESH[name], {"start": start, "end": target})
    return RefreshStats(
        edition="timescale",
        watermark_before=before,
        watermark_after=target,
        target=target,
    )
