"""What the series statements make the database compute.

Epoch seconds in float8: ``extract(epoch FROM t)`` computes in numeric, which took
about 2 ms of the 16 of the statement behind a month of samples (8,640 rows, the
installation detail with ``include_timeseries``); ``date_part('epoch', t)`` computes
in float8 and, floored, gives the same whole seconds. That statement now sends the
time unconverted, and Python divides its binary form (1.7 ms less of server time).

A back-office plot (a week of hours) plans the chunks of its week only, however long
the history: the same chunks and the same planning time at 30 days and 3 years.

Local days read from the stored local days are aggregated once: the stored days and
the raw edges hold different days, so no second aggregation sums them up (three
years of days: 6.6 ms with it, 5.0 without).

The plans are read with ``EXPLAIN (VERBOSE)``, which names the function each output
column is computed with; the values are checked against direct aggregates of the
samples in ``test_series_read.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from app.models import Node, Sample
from app.services.access import BACK_OFFICE
from app.services.series import aggregates, plots, sql
from app.services.series.buckets import LEVEL_1D, LEVEL_1D_LOCAL, LEVEL_1H, Level
from app.services.series.extent import SeriesSource
from app.services.series.samples import samples_in
from app.services.series.window import ALL_TIME, Window
from tests.factories import make_node, make_samples
from tests.support.series import Row, insert_rows
from tests.support.statements import Run, recorded_statements

MOMENT = datetime(2024, 6, 10, 12, 0, 7, tzinfo=UTC)


@pytest.fixture
def node(session: Session) -> Node:
    """A node with a sample 1 µs before a whole second and one 1 µs after it."""
    found = make_node(session)
    for moment in (
        MOMENT - timedelta(microseconds=1),
        MOMENT + timedelta(seconds=1, microseconds=1),
    ):
        session.add(Sample(node_id=found.id, time=moment, co2_ppm=500))
    session.flush()
    return found


def _outputs(session: Session, statement: TextClause, params: dict[str, Any]) -> str:
    plan = session.execute(text(f"EXPLAIN (VERBOSE) {statement.text}"), params)
    return "\n".join(line for line in plan.scalars() if "Output:" in line)


def _window(node: Node) -> dict[str, Any]:
    return {
        "node_id": node.id,
        "owner_id": node.owner_id,
        "start": MOMENT - timedelta(days=1),
        "stop": MOMENT + timedelta(days=1),
    }


def test_raw_values_compute_epoch_seconds_in_float8(
    session: Session, node: Node
) -> None:
    statement = sql.raw_values_sql(tuple(sql.QUANTITIES.values()))

    outputs = _outputs(session, statement, {**_window(node), "row_cap": 10})

    assert "date_part('epoch'" in outputs
    assert "EXTRACT" not in outputs


def test_a_windows_sample_times_leave_the_server_unconverted(
    session: Session, node: Node
) -> None:
    # Epoch seconds are computed in Python, from the binary time
    # (app.services.series.samples.WIRE_LOADERS).
    outputs = _outputs(session, sql.SAMPLES_SQL, _window(node))

    assert "date_part" not in outputs
    assert "EXTRACT" not in outputs


def _bucketed(
    node: Node, output: Level, source: Level, *, local_days: bool
) -> tuple[TextClause, dict[str, Any]]:
    """A bucketed statement of stored buckets between two raw edges, and its values."""
    statement = sql.bucketed_sql(
        tuple(sql.QUANTITIES.values()),
        ("avg", "count"),
        output=output,
        local_days=local_days,
        source=source,
        raw_parts=2,
    )
    window, edge = _window(node), timedelta(hours=2)
    start, stop = window["start"], window["stop"]
    params = {
        **window,
        "tz": "Europe/Berlin",
        "m0": start + edge,
        "m1": stop - edge,
        "r0a": start,
        "r0b": start + edge,
        "r1a": stop - edge,
        "r1b": stop,
    }
    return statement, params


def test_bucketed_statement_computes_epoch_seconds_in_float8(
    session: Session, node: Node
) -> None:
    outputs = _outputs(session, *_bucketed(node, LEVEL_1H, LEVEL_1H, local_days=False))

    assert "date_part('epoch'" in outputs
    assert "EXTRACT" not in outputs


def test_sample_times_are_rounded_down_to_whole_seconds(
    session: Session, node: Node
) -> None:
    window = Window(MOMENT - timedelta(days=1), MOMENT + timedelta(days=1))

    found = samples_in(session, SeriesSource(node.id, node.owner_id), window)

    whole = int(MOMENT.timestamp())
    assert [s["timestamp_s"] for s in found] == [whole - 1, whole + 1]


def test_sample_times_read_in_binary_equal_the_servers_epoch_seconds(
    session: Session,
) -> None:
    # Times before and after PostgreSQL's epoch (2000-01-01, where a binary
    # timestamptz counts from), on and between whole seconds.
    node = make_node(session)
    start = datetime(1999, 12, 31, 23, 59, 58, 500_000, tzinfo=UTC)
    rows = [
        Row(start + timedelta(seconds=i * 0.75), 500, None, None) for i in range(12)
    ]
    insert_rows(session, node.id, rows)
    reference = session.execute(
        text(
            "SELECT floor(date_part('epoch', time))::bigint FROM samples "
            "WHERE node_id = :node_id ORDER BY time"
        ),
        {"node_id": node.id},
    ).scalars()

    found = samples_in(session, SeriesSource(node.id, node.owner_id), ALL_TIME)

    assert [s["timestamp_s"] for s in found] == list(reference)
    assert found[2]["timestamp_s"] == 946_684_800  # 2000-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("source", "aggregated_above"),
    [(LEVEL_1D_LOCAL, False), (LEVEL_1H, True)],
    ids=["stored local days", "days folded from hours"],
)
def test_local_days_are_aggregated_again_only_when_folded(
    session: Session, node: Node, source: Level, aggregated_above: bool
) -> None:
    # Hours may end inside a local day that the raw edge continues: their partial
    # sums are added up per day. Stored local days end at a local midnight.
    statement, params = _bucketed(node, LEVEL_1D, source, local_days=True)

    plan = list(session.execute(text(f"EXPLAIN {statement.text}"), params).scalars())

    assert ("Aggregate" in plan[0]) is aggregated_above, plan[0]


@pytest.fixture
def recorded(session: Session) -> Iterator[list[Run]]:
    """The statements the test's connection runs, with their values."""
    with recorded_statements(session) as runs:
        yield runs


def test_a_week_plot_plans_only_the_chunks_of_its_week(
    session: Session, recorded: list[Run]
) -> None:
    # Two years of a sample a day (25 chunks of 30 days), then a week of 5 minutes.
    old = make_node(session)
    make_samples(session, old, MOMENT - timedelta(days=730), 720, timedelta(days=1))
    make_samples(session, old, MOMENT - timedelta(days=7), 7 * 288)
    aggregates.refresh(session, until=MOMENT - timedelta(days=1))
    recorded.clear()

    found = plots.node_series(session, BACK_OFFICE, old.id, now=MOMENT)

    driver: Any = session.connection().connection.driver_connection
    planned: set[str] = set()
    for query, params in [r for r in recorded if "FROM samples s" in r.query]:
        with driver.cursor() as cursor:
            cursor.execute(f"EXPLAIN {query}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        planned |= set(re.findall(r"(_hyper_\d+_\d+_chunk) s(?:_\d+)?\b", plan))
    chunks = session.execute(
        text("SELECT count(*) FROM show_chunks('samples')")
    ).scalar_one()
    assert chunks >= 25
    assert 1 <= len(planned) <= 2, planned
    assert len(found.times_s) == 7 * 24
