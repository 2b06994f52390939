"""``flask series refresh`` and ``flask series status``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flask import Flask

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import make_node
from tests.support.series import insert_rows, irregular_rows

T0 = datetime(2024, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "command", [["series"], ["series", "refresh"], ["series", "status"]]
)
def test_series_commands_have_help(app: Flask, command: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=[*command, "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_series_refresh_steps_until_caught_up_and_reports_progress(
    app: Flask, session: Session
) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=5), seed=31))

    result = app.test_cli_runner().invoke(
        args=["series", "refresh", "--until", "2024-02-06T00:00", "--step-days", "2"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.count("  up to ") == 3
    assert "complete up to 2024-02-06T00:00+00:00" in result.output
    days = session.execute(
        text("SELECT count(*) FROM samples_1d WHERE node_id = :n"), {"n": node.id}
    ).scalar_one()
    assert days == 5


def test_series_status_shows_watermarks(app: Flask, session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=1), seed=32))
    runner = app.test_cli_runner()
    runner.invoke(args=["series", "refresh", "--until", "2024-02-01T12:34", "--quiet"])

    result = runner.invoke(args=["series", "status"])

    assert result.exit_code == 0, result.output
    assert "edition: apache" in result.output
    assert "samples_10m: complete below 2024-02-01T12:30+00:00" in result.output
    assert "logged writes waiting for refresh: 0" in result.output
