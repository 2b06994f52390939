"""Leadership and bookkeeping of scheduled jobs across several jobs processes.

Each run of a job takes a session-level advisory lock (``pg_try_advisory_lock``) on
a dedicated connection held for the whole run. The lock, not a table row, decides
who runs: when a jobs process dies, PostgreSQL ends its session and the lock is
gone with it, so a standby takes over at its next tick. (A transaction-scoped
lock would tie a run to one transaction; a run may need several.)

The lock alone would let two processes whose clocks tick a few milliseconds
apart run the same job back to back, so under the lock a run also checks
``job_runs.last_started_at`` (database clock): a job that started less than
half an interval ago is not started again. Together that is "at most once per
interval, by whoever is alive".

The lock connection should go straight to PostgreSQL (not through PgBouncer in
transaction mode, which would hand the session lock to strangers); it asks the
server for TCP keepalives so a vanished machine's locks are freed within about
a minute instead of hours.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.models import JobRun

LOCK_NAMESPACE = b"airq.jobs:"
KEEPALIVE_OPTIONS = (
    "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 "
    "-c tcp_keepalives_count=3 -c tcp_user_timeout=60000"
)

_RAN_RECENTLY = text(
    "SELECT EXISTS (SELECT 1 FROM job_runs WHERE job_id = :job "
    "AND last_started_at > clock_timestamp() - make_interval(secs => :window))"
)
_START = text(
    """
INSERT INTO job_runs (job_id, last_started_at, last_runner)
VALUES (:job, clock_timestamp(), :runner)
ON CONFLICT (job_id) DO UPDATE
    SET last_started_at = EXCLUDED.last_started_at,
        last_runner = EXCLUDED.last_runner
RETURNING last_started_at
"""
)
_FINISH = text(
    """
UPDATE job_runs
SET last_finished_at = clock_timestamp(),
    last_duration_s = :duration,
    last_result = :result,
    last_counts = CAST(:counts AS jsonb),
    last_error = :error,
    next_run_at = COALESCE(:next_run, next_run_at),
    runs = runs + 1,
    failures = failures + :failed
WHERE job_id = :job
"""
)


@dataclass(frozen=True)
class RunRecord:
    """The end of one run, as stored in ``job_runs``."""

    result: str
    duration_s: float
    counts: Mapping[str, Any] | None = None
    error: str | None = None
    next_run: datetime | None = None


def lock_key(job_id: str) -> int:
    """Return the 64-bit advisory-lock key of ``job_id`` (stable across processes)."""
    digest = hashlib.sha256(LOCK_NAMESPACE + job_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_engine(url: str, connect_timeout_s: int = 5) -> Engine:
    """Return an engine for lock connections: no pool, server-side keepalives.

    Closing a lock connection must really close it (that is what frees the lock
    when something goes wrong), so the engine does not pool.
    """
    return create_engine(
        url,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={
            "connect_timeout": connect_timeout_s,
            "application_name": "airq-jobs",
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "options": KEEPALIVE_OPTIONS,
        },
    )


@contextmanager
def job_lock(engine: Engine, job_id: str) -> Iterator[Connection | None]:
    """Hold the job's advisory lock on a dedicated connection for the block.

    Yields:
        The lock connection (autocommit; use it for bookkeeping), or None when
        another process holds the lock.
    """
    conn = engine.connect()
    key = lock_key(job_id)
    try:
        acquired = conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
    except BaseException:
        conn.invalidate()
        conn.close()
        raise
    if not acquired:
        conn.close()
        yield None
        return
    try:
        yield conn
    finally:
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        except DBAPIError:
            conn.invalidate()  # a closed session holds no locks
        conn.close()


def ran_recently(conn: Connection, job_id: str, window_s: float) -> bool:
    """Whether some process started ``job_id`` less than ``window_s`` ago."""
    return bool(conn.scalar(_RAN_RECENTLY, {"job": job_id, "window": window_s}))


def mark_started(conn: Connection, job_id: str, runner: str) -> datetime:
    """Record that ``runner`` starts ``job_id`` now; return the start time."""
    started: datetime = conn.execute(
        _START, {"job": job_id, "runner": runner}
    ).scalar_one()
    return started


def mark_finished(conn: Connection, job_id: str, record: RunRecord) -> None:
    """Record how the run that :func:`mark_started` began has ended."""
    conn.execute(
        _FINISH,
        {
            "job": job_id,
            "duration": record.duration_s,
            "result": record.result,
            "failed": 0 if record.result == "ok" else 1,
            "counts": None if record.counts is None else json.dumps(record.counts),
            "error": record.error,
            "next_run": record.next_run,
        },
    )


def latest_runs(session: Session) -> dict[str, JobRun]:
    """Return the bookkeeping row of every job that ever ran, by job id."""
    return {run.job_id: run for run in session.scalars(select(JobRun))}
