"""``flask jobs``: the scheduler process and a look at what it did."""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType

import click
from flask import current_app

from sqlalchemy.exc import SQLAlchemyError

from app.cli.group import Group
from app.db import transaction
from app.jobs import ResolvedJob
from app.jobs.runner import JobRunner, Outcome
from app.metrics import serve_jobs_metrics
from app.models import JobRun
from app.services.ops import job_runs
from app.services.ops.database import TimescaleMissingError

log = logging.getLogger("app.jobs")

#: counts of a run that mean part of its work failed (the delivery jobs')
FAILURE_COUNTS = ("failed", "parked")


@click.group(
    cls=Group,
    help="Scheduled jobs: fidelity, outbox delivery, ventilation alerts and their "
    "messages, rollups, retention.",
)
def jobs() -> None:
    """Group of job commands."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _resolve(runner: JobRunner) -> list[ResolvedJob]:
    """Resolve the jobs, turning an unusable database into one clear line."""
    try:
        return runner.resolve()
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"database unreachable ({type(exc).__name__}); check DATABASE_URL"
        ) from exc
    except TimescaleMissingError as exc:
        raise click.ClickException(str(exc)) from exc


@jobs.command("run")
def run() -> None:
    """Run the scheduler in the foreground until Ctrl-C or SIGTERM.

    Several jobs processes may run, on one machine or several: each job takes a
    PostgreSQL advisory lock, so one process runs it per interval and the others
    stand by. Intervals and switches come from the settings (flask jobs list).
    """
    runner = JobRunner(current_app._get_current_object())  # type: ignore[attr-defined]
    resolved = _resolve(runner)
    for job in resolved:
        if job.schedulable:
            log.info("jobs: %s every %d s", job.spec.id, job.interval_s)
        else:
            log.info("jobs: %s not scheduled (%s)", job.spec.id, job.reason)
    scheduler = runner.scheduler(resolved)
    port = current_app.config["JOBS_METRICS_PORT"]
    try:
        serve_jobs_metrics(port)
    except OSError as exc:
        runner.close()
        raise click.ClickException(
            f"cannot serve metrics on 127.0.0.1:{port}: {exc.strerror or exc}; "
            "choose another JOBS_METRICS_PORT (0: off)"
        ) from exc
    signal.signal(signal.SIGTERM, _stop)
    log.info("jobs process %s started", runner.name)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("jobs process %s stopping; waiting for running jobs", runner.name)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        runner.close()


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _result(run: JobRun | None) -> str:
    if run is None or run.last_result is None:
        return "running" if run and run.last_started_at else "-"
    took = f"{run.last_duration_s:.2f} s" if run.last_duration_s is not None else ""
    if run.last_result != "ok":
        return f"{run.last_result} after {took}: {run.last_error or ''}"[:100]
    counts = " ".join(f"{k}={v}" for k, v in (run.last_counts or {}).items())
    return f"ok in {took}" + (f": {counts}" if counts else "")


def _next(job: ResolvedJob, run: JobRun | None, now: datetime) -> str:
    if not job.schedulable:
        return "-"
    if run is None or run.next_run_at is None:
        return "-"
    overdue = " (overdue: is a jobs process running?)" if run.next_run_at < now else ""
    return _when(run.next_run_at) + overdue


@jobs.command("list")
def list_jobs() -> None:
    """Show every job: interval, whether it runs here, last run and result, next run.

    Times are UTC. A job that is not scheduled says why (a switch is off, it is
    not needed on this TimescaleDB edition, or its module is missing).
    """
    runner = JobRunner(current_app._get_current_object())  # type: ignore[attr-defined]
    resolved = _resolve(runner)
    with transaction() as session:
        runs = job_runs.latest_runs(session)
    now = datetime.now(UTC)
    header = ("JOB", "EVERY", "STATUS", "LAST RUN", "BY", "NEXT RUN", "LAST RESULT")
    rows = [header]
    for job in resolved:
        run = runs.get(job.spec.id)
        rows.append(
            (
                job.spec.id,
                f"{job.interval_s} s",
                "scheduled" if job.schedulable else str(job.reason),
                _when(run.last_started_at if run else None),
                (run.last_runner or "-") if run else "-",
                _next(job, run, now),
                _result(run),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@jobs.command("run-once")
@click.argument("job_id")
def run_once(job_id: str) -> None:
    """Run the job JOB_ID now, in this process, under the same lock as the scheduler.

    JOB_ID is one of flask jobs list's, e.g. alerts-delivery or outbox-delivery.
    Prints the run's counts. Exits 1 when the job is not scheduled here (see
    flask jobs list), when another process is running it right now, when the
    run fails (the traceback is logged and recorded), or when a delivery job
    ran but could not deliver every message (failed or parked > 0).
    """
    runner = JobRunner(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        jobs_by_id = {job.spec.id: job for job in _resolve(runner)}
        job = jobs_by_id.get(job_id)
        if job is None:
            raise click.ClickException(
                f"no job {job_id!r}; jobs: {', '.join(jobs_by_id)}"
            )
        if not job.schedulable:
            raise click.ClickException(f"job {job_id} does not run here: {job.reason}")
        outcome = runner.run(job, force=True)
    finally:
        runner.close()
    if outcome is Outcome.LOCKED:
        raise click.ClickException(f"job {job_id} is running in another process")
    if outcome is not Outcome.OK:
        raise click.ClickException(f"job {job_id} {outcome.value}; see the log")
    with transaction() as session:
        run = job_runs.latest_runs(session).get(job_id)
    counts = dict(run.last_counts or {}) if run is not None else {}
    if any(counts.get(key) for key in FAILURE_COUNTS):
        # the run itself went through, but what it was there to do did not
        listed = " ".join(f"{key}={value}" for key, value in sorted(counts.items()))
        raise click.ClickException(
            f"job {job_id} ran but did not deliver everything ({listed}): failed "
            "ones are retried by the next run, parked ones only after a retry "
            "(flask publishers retry-parked for the outbox); the log names each error"
        )
    click.echo(f"job {job_id} {_result(run)}")
