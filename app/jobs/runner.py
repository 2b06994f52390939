"""The jobs process: an APScheduler ``BlockingScheduler`` running every job on time.

Every run is wrapped the same way (:meth:`JobRunner.run`): an application
context acting as SYSTEM, the job's advisory lock on a dedicated connection
(see ``app.services.ops.job_runs``), a start/end/duration/counts log line and a
``job_runs`` row, a count in ``airq_job_runs_total{job,result}``, the body
inside ``transaction()``. A failing run is logged
with its traceback and recorded; the scheduler goes on and the next interval
tries again.

Ticks are aligned to multiples of the interval since the epoch, so all jobs
processes tick together and the one that wins the lock runs the job.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from flask import Flask, g

from sqlalchemy import Engine

from app.db import transaction
from app.extensions import db
from app.jobs import JOBS, JobSpec, ResolvedJob, resolve
from app.metrics import JOB_RUNS
from app.services.access import SYSTEM
from app.services.ops import database, job_runs
from app.services.series.epoch import EPOCH

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of one tick of a job."""

    OK = "ok"
    FAILED = "failed"
    LOCKED = "locked"  # another process is running it
    RECENT = "recent"  # another process ran it this interval
    ERROR = "error"  # could not even try (database unreachable)


def counts_of(result: object) -> dict[str, Any]:
    """Turn a job's return value into loggable, JSON-able counts.

    Values other than numbers, text and None are written out: times as ISO-8601
    (the aggregates refresh reports its watermarks), anything else by ``repr``.
    """
    if result is None:
        return {}
    if is_dataclass(result) and not isinstance(result, type):
        found: Mapping[Any, Any] = asdict(result)
    elif isinstance(result, Mapping):
        found = result
    else:
        found = {"result": result}
    return {str(k): _loggable(v) for k, v in found.items()}


def _loggable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return repr(value)[:100]


def trigger_for(interval_s: int) -> IntervalTrigger:
    """Fire every ``interval_s`` seconds on multiples of it since the epoch."""
    return IntervalTrigger(seconds=interval_s, start_date=EPOCH, timezone=UTC)


class JobRunner:
    """Runs jobs for one application, alone or on a schedule."""

    def __init__(self, app: Flask, specs: tuple[JobSpec, ...] = JOBS) -> None:
        self.app = app
        self.specs = specs
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._lock_engine: Engine | None = None

    @property
    def lock_engine(self) -> Engine:
        """The engine of the dedicated lock connections (created on first use)."""
        if self._lock_engine is None:
            self._lock_engine = job_runs.lock_engine(
                self.app.config["SQLALCHEMY_DATABASE_URI"],
                self.app.config.get("DB_CONNECT_TIMEOUT_S", 5),
            )
        return self._lock_engine

    def resolve(self) -> list[ResolvedJob]:
        """Decide which jobs this process runs (reads the TimescaleDB edition)."""
        with self.app.app_context():
            session = db.session()
            try:
                edition = database.timescale_info(session).edition
            finally:
                db.session.remove()
            return resolve(self.app.config, edition, self.specs)

    def scheduler(self, jobs: list[ResolvedJob]) -> BlockingScheduler:
        """Build the scheduler with every schedulable job in ``jobs``."""
        scheduler = BlockingScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
        )
        for job in jobs:
            if job.schedulable:
                trigger = trigger_for(job.interval_s)
                scheduler.add_job(
                    self.tick,
                    trigger,
                    args=(job, trigger),
                    id=job.spec.id,
                    name=job.spec.id,
                    misfire_grace_time=job.interval_s,
                )
        return scheduler

    def tick(self, job: ResolvedJob, trigger: IntervalTrigger) -> Outcome:
        """Run ``job`` for the scheduler unless another process has this interval."""
        now = datetime.now(UTC)
        next_run = trigger.get_next_fire_time(None, now + timedelta(milliseconds=1))
        return self.run(job, next_run=next_run)

    def run(
        self, job: ResolvedJob, *, force: bool = False, next_run: datetime | None = None
    ) -> Outcome:
        """Run ``job`` once under its lock; never raises.

        Args:
            job: a schedulable job.
            force: run even if another process ran it less than half an
                interval ago (``flask jobs run-once``).
            next_run: when the scheduler will tick next (recorded for ``list``).

        Returns:
            What happened.
        """
        with self.app.app_context():
            g.actor = SYSTEM
            outcome = Outcome.ERROR
            try:
                outcome = self._locked_run(job, force, next_run)
            except Exception:
                log.exception("job %s could not run", job.spec.id)
            finally:
                db.session.remove()
                JOB_RUNS.labels(job.spec.id, outcome.value).inc()
            return outcome

    def _locked_run(
        self, job: ResolvedJob, force: bool, next_run: datetime | None
    ) -> Outcome:
        job_id = job.spec.id
        if job.function is None:
            raise ValueError(f"job {job_id} is not runnable: {job.reason}")
        with job_runs.job_lock(self.lock_engine, job_id) as conn:
            if conn is None:
                log.debug("job %s: running elsewhere; skipped", job_id)
                return Outcome.LOCKED
            if not force and job_runs.ran_recently(conn, job_id, job.interval_s / 2):
                log.debug("job %s: already ran this interval; skipped", job_id)
                return Outcome.RECENT
            job_runs.mark_started(conn, job_id, self.name)
            log.info("job %s started", job_id)
            started = time.monotonic()
            try:
                with transaction() as session:
                    result = job.function(session)
            except Exception as exc:
                duration = time.monotonic() - started
                log.exception("job %s failed after %.3f s", job_id, duration)
                error = "".join(traceback.format_exception_only(exc)).strip()
                job_runs.mark_finished(
                    conn,
                    job_id,
                    job_runs.RunRecord("failed", duration, None, error, next_run),
                )
                return Outcome.FAILED
            duration = time.monotonic() - started
            counts = counts_of(result)
            job_runs.mark_finished(
                conn, job_id, job_runs.RunRecord("ok", duration, counts, None, next_run)
            )
            log.info(
                "job %s finished in %.3f s: %s",
                job_id,
                duration,
                " ".join(f"{k}={v}" for k, v in counts.items()) or "-",
            )
            return Outcome.OK

    def close(self) -> None:
        """Close the lock engine (its connections are not pooled anyway)."""
        if self._lock_engine is not None:
            self._lock_engine.dispose()
            self._lock_engine = None
