"""Every job run is counted in ``airq_job_runs_total{job,result}``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from flask import Flask

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.jobs import JobSpec, ResolvedJob
from app.jobs.runner import JobRunner, Outcome
from app.services.ops import job_runs


def _ok(session: Session) -> dict[str, int]:
    return {"done": 1}


def _failing(session: Session) -> None:
    raise RuntimeError("boom")


@pytest.fixture
def job_id(app: Flask) -> Iterator[str]:
    """A fresh job id; its committed ``job_runs`` row is removed afterwards."""
    ident = f"metrics-{uuid.uuid4().hex[:12]}"
    yield ident
    engine: Engine = job_runs.lock_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM job_runs WHERE job_id = :j"), {"j": ident})
    engine.dispose()


def _runs(job_id: str, result: str) -> float:
    value = REGISTRY.get_sample_value(
        "airq_job_runs_total", {"job": job_id, "result": result}
    )
    return value or 0.0


def _job(job_id: str, function: object) -> ResolvedJob:
    spec = JobSpec(job_id, "tests:unused", "EVERY", "a test job")
    return ResolvedJob(spec, 60, function)  # type: ignore[arg-type]


@pytest.mark.parametrize(("function", "result"), [(_ok, "ok"), (_failing, "failed")])
def test_job_run_is_counted_by_job_and_result(
    app: Flask, job_id: str, function: object, result: str
) -> None:
    runner = JobRunner(app, specs=())
    try:
        outcome = runner.run(_job(job_id, function), force=True)
    finally:
        runner.close()

    assert outcome == Outcome(result)
    assert _runs(job_id, result) == 1.0


def test_job_that_cannot_run_is_counted_as_error(app: Flask, job_id: str) -> None:
    runner = JobRunner(app, specs=())
    try:
        outcome = runner.run(_job(job_id, None), force=True)
    finally:
        runner.close()

    assert outcome == Outcome.ERROR
    assert _runs(job_id, "error") == 1.0
