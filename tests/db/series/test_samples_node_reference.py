"""samples -> nodes under concurrency: the statement-level check locks like a foreign key.

Two transactions at once, so these tests commit, on a database of their own.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import psycopg
from psycopg import errors as pg

from tests.support.database import _libpq, insert_node, migrated_database

T0 = datetime(2024, 5, 6, tzinfo=UTC)
INSERT = "INSERT INTO samples (node_id, time, co2_ppm) VALUES (%s, %s, 500)"


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    with migrated_database("co2_node_ref") as url:
        yield _libpq(url)


@pytest.fixture
def node(dsn: str) -> uuid.UUID:
    return insert_node(dsn)


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``work`` in a thread; the list gets its result or exception."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _waits(thread: threading.Thread, seconds: float = 0.5) -> bool:
    time.sleep(seconds)
    return thread.is_alive()


def test_node_delete_waits_for_samples_in_flight_then_removes_them(
    dsn: str, node: uuid.UUID
) -> None:
    with psycopg.connect(dsn) as writer:
        writer.execute(INSERT, (node, T0))

        def delete() -> int:
            with psycopg.connect(dsn, autocommit=True) as conn:
                return conn.execute("DELETE FROM nodes WHERE id = %s", (node,)).rowcount

        thread, outcome = _in_thread(delete)
        blocked = _waits(thread)
        writer.commit()
        thread.join(timeout=10)

    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM samples WHERE node_id = %s", (node,)
        ).fetchone()
    assert blocked
    assert outcome == [1]
    assert left == (0,)


def _insert_while_a_node_delete_is_in_flight(
    dsn: str, node: uuid.UUID, finish: Callable[[psycopg.Connection[Any]], None]
) -> tuple[bool, list[Any]]:
    """Insert a sample while another transaction deletes its node, then ``finish`` it.

    Returns whether the insert waited for the delete, and the insert's outcome.
    """
    with psycopg.connect(dsn) as deleter:
        deleter.execute("DELETE FROM nodes WHERE id = %s", (node,))

        def insert() -> int:
            with psycopg.connect(dsn, autocommit=True) as conn:
                return conn.execute(INSERT, (node, T0)).rowcount

        thread, outcome = _in_thread(insert)
        blocked = _waits(thread)
        finish(deleter)
        thread.join(timeout=10)
    return blocked, outcome


def test_samples_wait_for_a_node_delete_in_flight_then_fail(
    dsn: str, node: uuid.UUID
) -> None:
    blocked, outcome = _insert_while_a_node_delete_is_in_flight(
        dsn, node, psycopg.Connection.commit
    )

    assert blocked
    assert len(outcome) == 1
    assert isinstance(outcome[0], pg.ForeignKeyViolation)
    assert outcome[0].diag.constraint_name == "fk_samples_node_id_nodes"


def test_samples_go_in_when_a_node_delete_in_flight_rolls_back(
    dsn: str, node: uuid.UUID
) -> None:
    blocked, outcome = _insert_while_a_node_delete_is_in_flight(
        dsn, node, psycopg.Connection.rollback
    )

    assert blocked
    assert outcome == [1]
