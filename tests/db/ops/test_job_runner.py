"""The job wrapper: lock, bookkeeping, logging, failure isolation, lazy registration."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from flask import Flask

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.jobs import JobSpec, ResolvedJob, resolve
from app.jobs.runner import JobRunner, Outcome, counts_of, trigger_for
from app.models import JobRun, Organization
from app.services.ops import job_runs
from app.services.series import aggregates
from tests.factories import make_organization


@dataclass(frozen=True)
class Reported:
    """A job result with a time in it, as the aggregates refresh returns."""

    at: datetime
    none: None
    flag: bool
    share: float


CONFIG = {"EVERY": 60, "SWITCH_ON": True, "SWITCH_OFF": False}
CALLS: list[str] = []


def ok_job(session: Session) -> dict[str, int]:
    """A job that counts organizations."""
    CALLS.append("ok")
    return {"organizations": len(session.scalars(select(Organization)).all())}


def failing_job(session: Session) -> None:
    """A job that writes, then fails: its write must be rolled back."""
    CALLS.append("fail")
    session.add(Organization(name="written by a failing job"))
    session.flush()
    raise RuntimeError("boom")


@pytest.fixture
def lock_engine(app: Flask) -> Iterator[Engine]:
    engine = job_runs.lock_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


@pytest.fixture
def job_id(lock_engine: Engine) -> Iterator[str]:
    """A fresh job id; its committed ``job_runs`` row is removed afterwards."""
    ident = f"test-{uuid.uuid4().hex[:12]}"
    CALLS.clear()
    yield ident
    with lock_engine.connect() as conn:
        conn.execute(text("DELETE FROM job_runs WHERE job_id = :j"), {"j": ident})


@pytest.fixture
def runner(app: Flask) -> Iterator[JobRunner]:
    jobs = JobRunner(app, specs=())
    yield jobs
    jobs.close()


def _job(job_id: str, function: object, interval_s: int = 60) -> ResolvedJob:
    spec = JobSpec(job_id, "tests:unused", "EVERY", "a test job")
    return ResolvedJob(spec, interval_s, function)  # type: ignore[arg-type]


def _row(lock_engine: Engine, job_id: str) -> JobRun:
    with Session(lock_engine) as s:
        row = s.get(JobRun, job_id)
        assert row is not None
        return row


def test_resolve_missing_module_is_left_out_with_the_reason() -> None:
    spec = JobSpec("x", "app.services.no_such_module:refresh", "EVERY", "x")

    (job,) = resolve(CONFIG, "apache", [spec])

    assert not job.schedulable
    assert job.reason == "unavailable: module app.services.no_such_module is missing"


def test_resolve_missing_function_is_left_out_with_the_reason() -> None:
    spec = JobSpec("x", "app.services.fidelity.liveness:no_such_function", "EVERY", "x")

    (job,) = resolve(CONFIG, "apache", [spec])

    assert (
        job.reason
        == "unavailable: app.services.fidelity.liveness has no function no_such_function"
    )


def test_resolve_switched_off_job_names_the_setting() -> None:
    spec = JobSpec("x", f"{__name__}:ok_job", "EVERY", "x", requires=("SWITCH_OFF",))

    (job,) = resolve(CONFIG, "apache", [spec])

    assert job.reason == "disabled: set SWITCH_OFF=1"


def test_resolve_edition_specific_job_is_left_out_elsewhere() -> None:
    spec = JobSpec("x", f"{__name__}:ok_job", "EVERY", "x", editions=("apache",))

    (job,) = resolve(CONFIG, "timescale", [spec])

    assert job.reason == "not needed on the timescale edition"


def test_resolve_available_job_gets_its_function_and_interval() -> None:
    spec = JobSpec("x", f"{__name__}:ok_job", "EVERY", "x", requires=("SWITCH_ON",))

    (job,) = resolve(CONFIG, "apache", [spec])

    assert job.function is ok_job
    assert job.interval_s == 60


def test_run_records_result_counts_and_logs_start_and_end(
    runner: JobRunner,
    session: Session,
    job_id: str,
    lock_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="app.jobs.runner")
    make_organization(session)

    outcome = runner.run(_job(job_id, ok_job))

    row = _row(lock_engine, job_id)
    assert outcome is Outcome.OK
    assert (row.last_result, row.runs, row.failures) == ("ok", 1, 0)
    assert row.last_counts == {"organizations": 1}
    assert row.last_runner == runner.name
    assert row.last_duration_s is not None
    messages = [r.getMessage() for r in caplog.records]
    assert f"job {job_id} started" in messages
    assert any(
        m.startswith(f"job {job_id} finished in ") and m.endswith("organizations=1")
        for m in messages
    )


def test_run_failure_is_logged_with_traceback_recorded_and_rolled_back(
    runner: JobRunner,
    session: Session,
    job_id: str,
    lock_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="app.jobs.runner")

    outcome = runner.run(_job(job_id, failing_job))

    row = _row(lock_engine, job_id)
    assert outcome is Outcome.FAILED
    assert (row.last_result, row.failures) == ("failed", 1)
    assert row.last_error == "RuntimeError: boom"
    (failure,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.exc_info is not None
    assert "failed after" in failure.getMessage()
    assert (
        session.scalars(
            select(Organization).where(Organization.name == "written by a failing job")
        ).all()
        == []
    )


def test_run_skips_while_another_process_holds_the_lock(
    runner: JobRunner, session: Session, job_id: str, lock_engine: Engine
) -> None:
    with job_runs.job_lock(lock_engine, job_id) as held:
        assert held is not None

        outcome = runner.run(_job(job_id, ok_job))

    assert outcome is Outcome.LOCKED
    assert CALLS == []


def test_run_skips_a_job_that_ran_this_interval_unless_forced(
    runner: JobRunner, session: Session, job_id: str
) -> None:
    runner.run(_job(job_id, ok_job))

    again = runner.run(_job(job_id, ok_job))
    forced = runner.run(_job(job_id, ok_job), force=True)

    assert (again, forced) == (Outcome.RECENT, Outcome.OK)
    assert CALLS == ["ok", "ok"]


def test_scheduler_retries_a_failed_job_at_the_next_interval(
    app: Flask, job_id: str, lock_engine: Engine
) -> None:
    attempts: list[float] = []
    done = threading.Event()

    def flaky(session: Session) -> dict[str, int]:
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            raise RuntimeError("first run fails")
        done.set()
        return {"attempt": len(attempts)}

    jobs = JobRunner(app, specs=())
    scheduler = jobs.scheduler([_job(job_id, flaky, interval_s=1)])
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    try:
        assert done.wait(5), "the job was not run again after failing"
    finally:
        scheduler.shutdown(wait=True)
        jobs.close()

    row = _row(lock_engine, job_id)
    assert (row.last_result, row.runs, row.failures) == ("ok", 2, 1)
    assert 0.5 < attempts[1] - attempts[0] < 1.9
    assert row.next_run_at is not None
    assert row.next_run_at.timestamp() % 1 == 0


def test_trigger_ticks_on_multiples_of_the_interval() -> None:
    now = datetime(2024, 1, 1, 12, 0, 7, tzinfo=UTC)

    fire = trigger_for(300).get_next_fire_time(None, now)

    assert fire == datetime(2024, 1, 1, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, {}),
        ({"a": 1}, {"a": 1}),
        (7, {"result": 7}),
        (object, {"result": "<class 'object'>"}),
        (
            Reported(datetime(2024, 1, 1, 12, tzinfo=UTC), None, True, 2.5),
            {
                "at": "2024-01-01T12:00:00+00:00",
                "none": None,
                "flag": True,
                "share": 2.5,
            },
        ),
    ],
)
def test_counts_of_turns_results_into_counts(
    result: object, expected: dict[str, object]
) -> None:
    counts = counts_of(result)

    assert counts == expected
    assert json.loads(json.dumps(counts)) == expected  # as job_runs stores them


def test_the_aggregates_refresh_job_records_its_watermarks(
    runner: JobRunner, session: Session, job_id: str, lock_engine: Engine
) -> None:
    # ``session`` (rolled back) keeps the refresh out of the shared test database.
    outcome = runner.run(_job(job_id, aggregates.refresh))

    row = _row(lock_engine, job_id)
    assert outcome is Outcome.OK
    assert row.last_result == "ok"
    assert row.last_counts is not None
    assert row.last_counts["edition"] == "apache"
    assert datetime.fromisoformat(row.last_counts["target"]) <= datetime.now(UTC)
