"""What the lists' statistics cost the database: how many statements, which are
prepared, and whether a node's samples are read from the index alone.

The figures themselves are checked against direct counts in ``test_window_stats.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Node
from app.services.series import aggregates
from app.services.series.sql import SAMPLES_SQL
from app.services.series.stats import window_stats
from app.services.series.window import ALL_TIME, Window
from tests.factories import make_node
from tests.support.series import (
    AUTUMN,
    REFRESHED_UNTIL,
    SPRING,
    fixed_rows,
    insert_rows,
)
from tests.support.statements import Run, recorded_statements


@pytest.fixture
def sent(session: Session) -> Iterator[list[Run]]:
    """The statements sent on the test's connection, ORM and driver alike."""
    with recorded_statements(session) as runs:
        yield runs


@pytest.fixture
def nodes(session: Session) -> list[Node]:
    """Three nodes with stored days and samples above the daily watermark."""
    found = [make_node(session) for _ in range(3)]
    for node in found:
        insert_rows(session, node.id, fixed_rows())
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    return found


def test_the_newest_samples_come_with_the_raw_edges(
    session: Session, nodes: list[Node], sent: list[Run]
) -> None:
    # Watermarks, stale days, stored counts, raw edges: the newest samples are in
    # the raw tail above the watermark and come with its counts.
    stats = window_stats(session, [(n.id, ALL_TIME) for n in nodes])

    assert len(sent) == 4
    assert all(s.latest is not None and s.latest["timestamp_s"] for s in stats)


def test_a_newest_sample_in_a_stored_day_costs_one_probe(
    session: Session, nodes: list[Node], sent: list[Run]
) -> None:
    # A raw head, no raw tail: the newest sample is probed in the last stored day
    # (and comes with that probe).
    window = Window(
        SPRING[0] + timedelta(hours=3), REFRESHED_UNTIL.replace(hour=0, minute=0)
    )

    stats = window_stats(session, [(n.id, window) for n in nodes])

    assert len(sent) == 5
    assert all(s.latest is not None for s in stats)


def test_stored_counts_are_prepared_and_raw_reads_never(
    session: Session, nodes: list[Node]
) -> None:
    window = Window(SPRING[0], AUTUMN[1])
    for _ in range(3):
        window_stats(session, [(n.id, window) for n in nodes])

    prepared = list(
        session.execute(text("SELECT statement FROM pg_prepared_statements")).scalars()
    )
    assert any("samples_1mo" in s for s in prepared)
    # A generic plan of a raw read would open every chunk of the hypertable.
    assert not any("FROM samples s" in s for s in prepared)


def test_a_nodes_samples_are_read_from_the_index_alone(
    session: Session, nodes: list[Node]
) -> None:
    # The planner picks a plain index path on a table this small only when told to;
    # what is asserted is that the index holds every column the read needs.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_bitmapscan = off"))
    node = nodes[0]
    plan = session.execute(
        text(f"EXPLAIN {SAMPLES_SQL.text}"),
        {
            "node_id": node.id,
            "owner_id": node.owner_id,
            "start": SPRING[0],
            "stop": AUTUMN[1],
        },
    ).scalars()

    scans = [line.strip() for line in plan if "Scan" in line and "_chunk" in line]
    assert scans
    assert all(line.startswith("->  Index Only Scan") for line in scans), scans
