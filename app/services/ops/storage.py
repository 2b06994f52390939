"""How the samples hypertable and the series levels are stored: chunk interval,
compression (TSL edition) and the refresh window that retention needs.

Applied by migration 0014 and again by ``flask series storage --apply`` after a
setting changed. A chunk interval applies to chunks created from then on (TimescaleDB
never re-chunks existing data). Compression exists only where
``timescaledb.license`` is ``timescale``; on the Apache edition :func:`apply` says
so and changes nothing else, so one code path serves both editions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.services.access import Actor
from app.services.ops import database
from app.services.series import aggregates

#: Continuous aggregates (TSL) compressed like the samples, bottom level first: the
#: series' own list, so a new level is compressed and kept by retention too.
CAGGS = aggregates.CAGGS

_SET_CHUNK = text(
    "SELECT set_chunk_time_interval('samples', make_interval(days => :days))"
)
# Segment by node: every read is one node's time range, so a node's batch of up to
# 1,000 samples decompresses alone; time DESC matches the (node_id, time DESC) index.
_COMPRESS_SAMPLES = text(
    "ALTER TABLE samples SET (timescaledb.compress, "
    "timescaledb.compress_segmentby = 'node_id', "
    "timescaledb.compress_orderby = 'time DESC')"
)
_REMOVE_POLICY = text("SELECT remove_compression_policy(:name, if_exists => true)")
_ADD_POLICY = text(
    "SELECT add_compression_policy(:name, compress_after => make_interval(days => :days))"
)
# A refresh policy with start_offset NULL re-materializes every invalidated range of
# any age, and dropping raw chunks invalidates their range: the next run would empty
# the aggregates of everything retention dropped. With retention on, the window
# starts at the retention age instead.
_REFRESH_START = text(
    "SELECT alter_job(j.job_id, config => jsonb_set(j.config, '{start_offset}', "
    "CASE WHEN :days > 0 THEN to_jsonb(make_interval(days => :days)::text) "
    "ELSE 'null'::jsonb END)) "
    "FROM timescaledb_information.jobs j "
    "WHERE j.proc_name = 'policy_refresh_continuous_aggregate' "
    "AND (j.hypertable_name = ANY(CAST(:caggs AS text[])) "
    "OR j.hypertable_name IN (SELECT c.materialization_hypertable_name "
    "FROM timescaledb_information.continuous_aggregates c "
    "WHERE c.view_name = ANY(CAST(:caggs AS text[]))))"
)


@dataclass(frozen=True)
class StoragePolicy:
    """The storage settings.

    Attributes:
        chunk_days: time span of one chunk of ``samples`` (new chunks only).
        compress_after_days: compress chunks older than this (TSL); 0: never.
        retention_days: raw samples are dropped after this (0: kept); the
            aggregates are kept, so their refresh must not reach that far back.
    """

    chunk_days: int
    compress_after_days: int
    retention_days: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StoragePolicy:
        """Read the policy from the application's settings."""
        return cls(
            chunk_days=int(config["SAMPLES_CHUNK_DAYS"]),
            compress_after_days=int(config["SAMPLES_COMPRESS_AFTER_DAYS"]),
            retention_days=int(config["SAMPLES_RETENTION_DAYS"]),
        )


@dataclass(frozen=True)
class StorageApplied:
    """What :func:`apply` set, in words for the CLI and the migration log."""

    edition: str
    chunk_days: int
    compression: str


def apply(session: Session, actor: Actor, policy: StoragePolicy) -> StorageApplied:
    """Set the chunk interval, and on the TSL edition compression and the refresh
    window, in the session's transaction (the caller commits).

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the operator changes how samples are stored.")
    session.execute(_SET_CHUNK, {"days": policy.chunk_days})
    edition = database.timescale_info(session).edition
    if edition != "timescale":
        return StorageApplied(
            edition,
            policy.chunk_days,
            "not available on the Apache edition (stored uncompressed)",
        )
    caggs = _existing_caggs(session)
    limit_refresh(session, policy.retention_days)
    session.execute(_COMPRESS_SAMPLES)
    for name in caggs:
        compress = f"ALTER MATERIALIZED VIEW {name} SET (timescaledb.compress = true)"  # sql-identifiers: vetted (constant names from CAGGS)
        session.execute(text(compress))
    for name in ("samples", *caggs):
        session.execute(_REMOVE_POLICY, {"name": name})
        if policy.compress_after_days > 0:
            session.execute(
                _ADD_POLICY, {"name": name, "days": policy.compress_after_days}
            )
    compression = (
        f"chunks older than {policy.compress_after_days} days are compressed"
        if policy.compress_after_days > 0
        else "off (chunks already compressed stay so)"
    )
    return StorageApplied(edition, policy.chunk_days, compression)


def compress_now(session: Session, actor: Actor, older_than_days: int) -> int:
    """Compress every uncompressed chunk older than the age now, as the policy
    would on its next run (TSL edition); return how many were compressed.

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the operator compresses chunks.")
    if database.timescale_info(session).edition != "timescale":
        return 0
    total = 0
    for name in ("samples", *_existing_caggs(session)):
        total += int(
            session.execute(
                text(
                    "SELECT count(compress_chunk(c, if_not_compressed => true)) "
                    "FROM show_chunks(:name, "
                    "older_than => make_interval(days => :days)) c"
                ),
                {"name": name, "days": older_than_days},
            ).scalar_one()
        )
    return total


def limit_refresh(session: Session, retention_days: int) -> None:
    """TSL edition: let the refresh policies start at the retention age (0: no start),
    so that they never re-materialize ranges whose raw chunks were dropped.

    Retention calls it on every run, so a changed ``SAMPLES_RETENTION_DAYS`` holds
    without ``flask series storage --apply``.
    """
    session.execute(
        _REFRESH_START,
        {"days": retention_days, "caggs": list(_existing_caggs(session))},
    )


def _existing_caggs(session: Session) -> tuple[str, ...]:
    """The levels that exist (``samples_1d_local`` is absent while being rebuilt)."""
    found = set(
        session.execute(
            text("SELECT view_name FROM timescaledb_information.continuous_aggregates")
        ).scalars()
    )
    return tuple(name for name in CAGGS if name in found)
