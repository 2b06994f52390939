"""The installation tallies stay exact when an installation is created while another
transaction writes samples of its node, whichever of the two commits first.

Each case holds one transaction open until the other is seen waiting for a lock
(pg_stat_activity), so the interleaving is the one named, not left to timing.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

import psycopg

from tests.factories import make_node, make_room
from tests.support.database import _libpq, migrated_database, seed_database

START = datetime(2025, 5, 5, tzinfo=UTC)
WAIT_S = 20.0


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    """A migrated database of this module's own: these tests commit."""
    with migrated_database("co2_tally") as url:
        yield _libpq(url)


def _node_and_room(dsn: str) -> tuple[uuid.UUID, int]:
    def seed(session: object) -> tuple[uuid.UUID, int]:
        room = make_room(session)  # type: ignore[arg-type]
        node = make_node(session, owner=room.site.operator)  # type: ignore[arg-type]
        return node.id, room.id

    return seed_database(dsn.replace("postgresql://", "postgresql+psycopg://"), seed)


def _insert_samples(conn: psycopg.Connection, node: uuid.UUID, first: int) -> None:
    conn.execute(
        "INSERT INTO samples (node_id, time, co2_ppm) "
        "SELECT %s, %s + make_interval(mins => m), 500 "
        "FROM generate_series(%s, %s + 9) m",
        (node, START, first, first),
    )


def _delete_samples(conn: psycopg.Connection, node: uuid.UUID, first: int) -> None:
    conn.execute(
        "DELETE FROM samples WHERE node_id = %s "
        "AND time >= %s + make_interval(mins => %s) "
        "AND time < %s + make_interval(mins => %s + 5)",
        (node, START, first, START, first),
    )


def _install(conn: psycopg.Connection, node: uuid.UUID, room: int) -> None:
    conn.execute(
        "INSERT INTO installations (node_id, room_id, from_time) VALUES (%s, %s, %s)",
        (node, room, START - timedelta(days=1)),
    )


def _wait_for_lock_waiter(dsn: str, pid: int) -> None:
    deadline = time.monotonic() + WAIT_S
    with psycopg.connect(dsn, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
            if row is not None and row[0] == "Lock":
                return
            time.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first")


def _interleave(
    dsn: str,
    first: Callable[[psycopg.Connection], None],
    second: Callable[[psycopg.Connection], None],
) -> None:
    """Run ``first`` in an open transaction, start ``second`` in another until it
    waits for a lock, commit ``first``, then let ``second`` finish and commit."""
    with psycopg.connect(dsn) as one, psycopg.connect(dsn) as two:
        first(one)
        errors: list[BaseException] = []

        def run_second() -> None:
            try:
                second(two)
                two.commit()
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=run_second)
        thread.start()
        _wait_for_lock_waiter(dsn, two.info.backend_pid)
        one.commit()
        thread.join(WAIT_S)
        assert not thread.is_alive()
        assert not errors, errors


def _tally_and_count(dsn: str, node: uuid.UUID) -> tuple[tuple[int, datetime], ...]:
    with psycopg.connect(dsn) as conn:
        tally = conn.execute(
            "SELECT t.samples, t.newest FROM installation_tallies t "
            "JOIN installations i ON i.id = t.installation_id WHERE i.node_id = %s",
            (node,),
        ).fetchone()
        direct = conn.execute(
            "SELECT count(*), max(time) FROM samples WHERE node_id = %s", (node,)
        ).fetchone()
    assert tally is not None
    assert direct is not None
    return tuple(tally), tuple(direct)


Step = Callable[[psycopg.Connection, uuid.UUID, int], None]


def _write(conn: psycopg.Connection, node: uuid.UUID, room: int) -> None:
    _insert_samples(conn, node, 0)


def _delete(conn: psycopg.Connection, node: uuid.UUID, room: int) -> None:
    _delete_samples(conn, node, 0)


#: (what the first transaction does, what the second does while the first is open).
CASES: dict[str, tuple[Step, Step]] = {
    "samples, then the installation": (_write, _install),
    "the installation, then samples": (_install, _write),
    "a delete, then the installation": (_delete, _install),
    "the installation, then a delete": (_install, _delete),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_installation_created_during_a_sample_write_counts_it_once(
    dsn: str, case: str
) -> None:
    node, room = _node_and_room(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        _insert_samples(conn, node, 100)  # some samples before both
        if "delete" in case:
            _insert_samples(conn, node, 0)
    first, second = CASES[case]

    _interleave(
        dsn,
        lambda conn: first(conn, node, room),
        lambda conn: second(conn, node, room),
    )

    tally, direct = _tally_and_count(dsn, node)
    assert tally == direct
