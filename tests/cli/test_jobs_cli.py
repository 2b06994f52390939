"""``flask jobs`` and ``flask publishers``: what operators see and can do."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from flask import Flask

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app import create_app
from app.models import Node, NodeFidelity, OutboxEntry
from app.models.types import utcnow
from app.services.ops import job_runs
from app.services.outbox.enqueue import enqueue_stored
from tests.factories import make_installation, make_node, make_samples
from tests.support.smtp import free_port

COMMANDS = (
    ["jobs"],
    ["jobs", "run"],
    ["jobs", "list"],
    ["jobs", "run-once"],
    ["publishers"],
    ["publishers", "status"],
    ["publishers", "retry-parked"],
)


@pytest.fixture
def clean_job_runs(app: Flask) -> Iterator[None]:
    """Job bookkeeping is committed on its own connection: remove it afterwards."""
    yield
    engine = job_runs.lock_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as conn:
        conn.execute(text("DELETE FROM job_runs"))
    engine.dispose()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_jobs_and_publishers_command_has_help(
    app: Flask, command: list[str]
) -> None:
    result = app.test_cli_runner().invoke(args=[*command, "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_jobs_list_says_why_a_job_is_not_scheduled(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "NODE_FIDELITY", False)

    result = app.test_cli_runner().invoke(args=["jobs", "list"])

    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert set(lines) == {
        "fidelity-check",
        "outbox-delivery",
        "aggregates-refresh",
        "alerts-evaluate",
        "alerts-delivery",
        "retention",
        "dashboard-rollup",
    }
    assert "disabled: set NODE_FIDELITY=1" in lines["fidelity-check"]
    assert "scheduled" in lines["retention"]
    assert (
        "unavailable: module app.services.series.aggregates is missing"
        in lines["aggregates-refresh"]
    ) or "scheduled" in lines["aggregates-refresh"]


def test_jobs_run_once_runs_the_job_and_list_shows_the_result(
    app: Flask,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    clean_job_runs: None,
) -> None:
    monkeypatch.setitem(app.config, "NODE_FIDELITY", True)
    node = make_node(session)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["jobs", "run-once", "fidelity-check"])
    listing = runner.invoke(args=["jobs", "list"])

    assert result.exit_code == 0, result.output
    assert "job fidelity-check ok in " in result.output
    assert "unknown=1" in result.output
    assert session.scalars(
        select(NodeFidelity).where(NodeFidelity.node_id == node.id)
    ).one()
    (line,) = [
        ln for ln in listing.output.splitlines() if ln.startswith("fidelity-check")
    ]
    assert "ok in" in line
    assert "unknown=1" in line


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ("nope", "no job 'nope'; jobs: fidelity-check, outbox-delivery"),
        ("outbox-delivery", "does not run here: disabled: set IOTDP_INTEGRATION=1"),
    ],
)
def test_jobs_run_once_refuses_what_cannot_run_here(
    app: Flask,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    job: str,
    message: str,
) -> None:
    monkeypatch.setitem(app.config, "IOTDP_INTEGRATION", False)

    result = app.test_cli_runner().invoke(args=["jobs", "run-once", job])

    assert result.exit_code == 1
    assert message in result.output


def _queue(session: Session, publishers: tuple[str, ...]) -> None:
    inst = make_installation(session, is_public=True)
    node = session.get(Node, inst.node_id)
    assert node is not None
    make_samples(session, node, count=4)
    session.execute(
        text(
            "CREATE TEMP TABLE stored ON COMMIT DROP AS SELECT node_id, time FROM samples"
        )
    )
    enqueue_stored(session, "stored", publishers)


def test_jobs_run_once_fails_when_the_job_could_not_deliver(
    app: Flask,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    clean_job_runs: None,
) -> None:
    monkeypatch.setitem(app.config, "IOTDP_INTEGRATION", True)
    monkeypatch.setitem(app.config, "IOTDP_PUBLISHERS", ("webhook",))
    monkeypatch.setitem(app.config, "WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/")
    monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s3cret")
    _queue(session, ("webhook",))

    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "outbox-delivery"])

    assert result.exit_code == 1, result.output
    assert result.output == (
        "Error: job outbox-delivery ran but did not deliver everything (claimed=4 "
        "deferred=0 delivered=0 dropped=0 failed=4 parked=0): failed ones are "
        "retried by the next run, parked ones only after a retry (flask publishers "
        "retry-parked for the outbox); the log names each error\n"
    )


def test_publishers_status_counts_rows_per_publisher(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "IOTDP_INTEGRATION", True)
    monkeypatch.setitem(app.config, "IOTDP_PUBLISHERS", ("webhook",))
    _queue(session, ("webhook", "stadtpuls"))
    first = session.scalars(select(OutboxEntry.id).order_by(OutboxEntry.id)).first()
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.publisher == "webhook", OutboxEntry.id != first)
        .values(parked_at=utcnow())
    )

    result = app.test_cli_runner().invoke(args=["publishers", "status"])

    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert rows[0] == [
        "PUBLISHER",
        "ENABLED",
        "DELIVERED",
        "PENDING",
        "RETRYING",
        "PARKED",
    ]
    assert ["stadtpuls", "no", "0", "4", "0", "0"] in rows
    assert ["webhook", "yes", "0", "1", "0", "3"] in rows


def test_publishers_retry_parked_makes_rows_due_again(
    app: Flask, session: Session
) -> None:
    _queue(session, ("webhook",))
    session.execute(update(OutboxEntry).values(parked_at=utcnow(), attempts=10))

    result = app.test_cli_runner().invoke(
        args=["publishers", "retry-parked", "--publisher", "webhook"]
    )

    assert result.exit_code == 0, result.output
    assert "4 parked rows are due again." in result.output
    session.expire_all()
    rows = session.scalars(select(OutboxEntry)).all()
    assert {(r.parked_at, r.attempts) for r in rows} == {(None, 0)}


@pytest.mark.parametrize(
    "command", [["publishers", "status"], ["publishers", "retry-parked"]], ids=" ".join
)
def test_publishers_commands_say_in_one_line_that_the_database_is_away(
    command: list[str],
) -> None:
    away = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": (
                f"postgresql+psycopg://co2:co2@127.0.0.1:{free_port()}/nowhere"
            ),
            "LOG_LEVEL": "WARNING",
        }
    )

    with away.app_context():
        result = away.test_cli_runner().invoke(args=command)

    assert result.exit_code == 1
    assert result.output == (
        "Error: database unreachable (OperationalError); check DATABASE_URL\n"
    )


def test_publishers_retry_parked_refuses_an_unknown_publisher(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["publishers", "retry-parked", "--publisher", "webhok"]
    )

    assert result.exit_code == 2
    assert "'webhok' is not one of 'opensensemap', 'stadtpuls', 'webhook'" in (
        result.output
    )


def test_jobs_run_says_when_the_metrics_port_is_taken(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        monkeypatch.setitem(app.config, "JOBS_METRICS_PORT", port)

        result = app.test_cli_runner().invoke(args=["jobs", "run"])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot serve metrics on 127.0.0.1:{port}: Address already in use; "
        "choose another JOBS_METRICS_PORT (0: off)\n"
    )
