"""``flask series refresh`` and ``flask series status``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from flask import Flask

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.ops import database
from tests.factories import make_node
from tests.support.series import insert_rows, irregular_rows

T0 = datetime(2024, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "command",
    [["series"], ["series", "refresh"], ["series", "status"], ["series", "day-zone"]],
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
    # Steps start where the refresh starts (the first chunk's start, which depends
    # on SAMPLES_CHUNK_DAYS) and advance 2 days each until the target.
    steps = [
        datetime.fromisoformat(line.split()[2])
        for line in result.output.splitlines()
        if line.startswith("  up to ")
    ]
    assert len(steps) >= 3
    assert steps[-1] == datetime(2024, 2, 6, tzinfo=UTC)
    assert all(b - a == timedelta(days=2) for a, b in pairwise(steps[:-1]))
    assert timedelta(0) < steps[-1] - steps[-2] <= timedelta(days=2)
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


def test_series_day_zone_says_when_the_stored_days_match(
    app: Flask, session: Session
) -> None:
    # The session fixture: the command's read runs in the test's rolled-back
    # transaction, not in one left open on the run's app context, whose lock made
    # a later TRUNCATE samples wait forever.
    result = app.test_cli_runner().invoke(args=["series", "day-zone"])

    assert result.exit_code == 0, result.output
    assert "keeps the local days of Europe/Berlin (ANALYSIS_TIMEZONE)" in result.output


def test_series_day_zone_rebuild_follows_a_changed_analysis_timezone(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=3), seed=33))
    runner = app.test_cli_runner()
    runner.invoke(args=["series", "refresh", "--until", "2024-02-04T00:00", "--quiet"])
    monkeypatch.setitem(app.config, "ANALYSIS_TIMEZONE", "America/New_York")

    report = runner.invoke(args=["series", "day-zone"])
    rebuilt = runner.invoke(args=["series", "day-zone", "--rebuild"])
    emptied = session.execute(text("SELECT count(*) FROM samples_1d_local")).scalar()
    runner.invoke(args=["series", "refresh", "--until", "2024-02-04T00:00", "--quiet"])

    assert "but ANALYSIS_TIMEZONE is America/New_York" in report.output
    assert rebuilt.exit_code == 0, rebuilt.output
    assert emptied == 0
    zone = session.execute(text("SELECT series_day_zone()")).scalar_one()
    midnights = session.execute(
        text(
            "SELECT DISTINCT (bucket AT TIME ZONE 'America/New_York')::time "
            "FROM samples_1d_local WHERE node_id = :n"
        ),
        {"n": node.id},
    ).scalars()
    assert zone == "America/New_York"
    assert [str(m) for m in midnights] == ["00:00:00"]


@pytest.mark.parametrize("option", ["--step-days", "--max-dirty"])
def test_refresh_refuses_absurd_bounds_as_usage_errors(
    app: Flask, session: Session, option: str
) -> None:
    result = app.test_cli_runner().invoke(
        args=["series", "refresh", option, "99999999999999999999"]
    )

    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output


@pytest.mark.parametrize("until", ["2999-01-01", "{tomorrow}"])
def test_refresh_refuses_an_until_in_the_future_and_keeps_the_watermark(
    app: Flask, session: Session, until: str
) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    runner = app.test_cli_runner()
    before = runner.invoke(args=["series", "status"]).output

    result = runner.invoke(
        args=[
            "series",
            "refresh",
            "--until",
            until.format(tomorrow=f"{tomorrow:%Y-%m-%dT%H:%M}"),
        ]
    )

    assert result.exit_code == 2, result.output
    assert "Invalid value for '--until'" in result.output
    assert "is in the future" in result.output
    assert runner.invoke(args=["series", "status"]).output == before


def test_series_storage_compress_now_says_why_nothing_is_compressed(
    app: Flask, session: Session
) -> None:
    if database.timescale_info(session).edition == "timescale":
        pytest.skip("the TSL edition compresses (tests/tsl/)")

    result = app.test_cli_runner().invoke(args=["series", "storage", "--compress-now"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Not compressing: the Apache edition of TimescaleDB has no compression "
        "(samples stay uncompressed).\n"
    )
