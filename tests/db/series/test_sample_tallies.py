"""The lists' sample figures (node and installation tallies kept by triggers) equal a
direct count(*), max(time) and newest sample after every kind of write, and across
installation boundaries that cut days."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Installation, Node
from app.services.series.extent import SeriesSource
from app.services.series.samples import samples_in
from app.services.series.stats import WindowStats
from app.services.series.tallies import installation_figures, node_figures
from app.services.series.window import ALL_TIME, Window, installation_window
from tests.factories import make_installation, make_node
from tests.support.series import AUTUMN, SPRING, Row, fixed_rows, insert_rows

#: Where the first installation ends and the second starts: mid-day, on a sample's
#: second, so one sample belongs to both closed intervals.
BOUNDARY = datetime(2024, 3, 31, 10, 0, 0, tzinfo=SPRING[0].tzinfo)


class World:
    """A node with two installations meeting at BOUNDARY, and a neighbour."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.node = make_node(session)
        self.neighbour = make_node(session)
        self.first = make_installation(
            session, self.node, from_time=SPRING[0], to_time=BOUNDARY
        )
        self.room = self.first.room_id
        self.second = make_installation(
            session,
            self.node,
            room=session.get(Installation, self.first.id).room,  # type: ignore[union-attr]
            from_time=BOUNDARY,
        )
        self.other = make_installation(self.session, self.neighbour)
        rows = fixed_rows()
        insert_rows(session, self.node.id, [*rows, Row(BOUNDARY, 777, None, None)])
        insert_rows(session, self.neighbour.id, rows[::3])

    def execute(self, statement: str, **params: object) -> None:
        self.session.execute(text(statement), {"node": self.node.id, **params})
        self.session.expire_all()


def _late_and_out_of_order(w: World) -> None:
    insert_rows(
        w.session,
        w.node.id,
        [
            Row(BOUNDARY + timedelta(hours=5, seconds=3), 4321, None, 10),
            Row(SPRING[0] - timedelta(days=3), 1234, None, None),  # before both
            Row(BOUNDARY - timedelta(seconds=1), 999, None, None),
        ],
    )


def _newer_than_all(w: World) -> None:
    insert_rows(w.session, w.node.id, [Row(AUTUMN[1] + timedelta(days=9), 5, None, 1)])


def _duplicate(w: World) -> None:
    w.execute(
        "INSERT INTO samples (time, node_id, co2_ppm) "
        "SELECT time, node_id, co2_ppm FROM samples WHERE node_id = :node "
        "ORDER BY time DESC LIMIT 3 ON CONFLICT DO NOTHING"
    )


def _deleted_newest(w: World) -> None:
    w.execute(
        "DELETE FROM samples WHERE node_id = :node AND time = "
        "(SELECT max(time) FROM samples WHERE node_id = :node)"
    )
    w.execute(
        "DELETE FROM samples WHERE node_id = :node AND time = "
        "(SELECT max(time) FROM samples WHERE node_id = :node AND time <= :b)",
        b=BOUNDARY,
    )


def _deleted_across_the_boundary(w: World) -> None:
    w.execute(
        "DELETE FROM samples WHERE node_id = :node "
        "AND time >= :b - INTERVAL '3 hours' AND time < :b + INTERVAL '2 hours'",
        b=BOUNDARY,
    )


def _deleted_all(w: World) -> None:
    w.execute("DELETE FROM samples WHERE node_id = :node")


def _moved_into_the_first(w: World) -> None:
    w.execute(
        "UPDATE samples SET time = :b - INTERVAL '7 seconds' WHERE node_id = :node "
        "AND time = (SELECT min(time) FROM samples WHERE node_id = :node AND time > :b)",
        b=BOUNDARY,
    )


def _moved_to_the_neighbour(w: World) -> None:
    w.execute(
        "UPDATE samples SET node_id = :other WHERE node_id = :node "
        "AND time >= :b AND time < :b + INTERVAL '1 day' "
        "AND time NOT IN (SELECT time FROM samples WHERE node_id = :other)",
        b=BOUNDARY,
        other=w.neighbour.id,
    )


def _corrected_value(w: World) -> None:
    w.execute(
        "UPDATE samples SET co2_ppm = 1111 WHERE node_id = :node AND time = "
        "(SELECT max(time) FROM samples WHERE node_id = :node)"
    )


def _bounds_changed(w: World) -> None:
    w.execute(
        "UPDATE installations SET to_time = :b - INTERVAL '1 day' WHERE id = :i",
        b=BOUNDARY,
        i=w.first.id,
    )
    w.execute(
        "UPDATE installations SET from_time = :b + INTERVAL '2 hours', "
        "to_time = :t WHERE id = :i",
        b=BOUNDARY,
        t=AUTUMN[0] + timedelta(hours=30),
        i=w.second.id,
    )


def _installation_moved_to_the_neighbour(w: World) -> None:
    w.execute("DELETE FROM installations WHERE id = :i", i=w.other.id)
    w.execute(
        "UPDATE installations SET node_id = :other WHERE id = :i",
        other=w.neighbour.id,
        i=w.second.id,
    )


def _installation_added(w: World) -> None:
    w.execute("DELETE FROM installations WHERE id = :i", i=w.second.id)
    w.execute(
        "INSERT INTO installations (node_id, room_id, from_time) "
        "VALUES (:node, :room, :t)",
        room=w.room,
        t=AUTUMN[0] + timedelta(hours=13, seconds=1),
    )


def _copied(w: World) -> None:
    """COPY (the importer's path) fires the same triggers as INSERT."""
    summer = datetime(2024, 6, 1, tzinfo=BOUNDARY.tzinfo)  # no samples yet
    lines = [
        f"{w.node.id}\t{(summer + timedelta(minutes=m)).isoformat()}\t{500 + m}"
        for m in range(0, 600, 7)
    ]
    driver = w.session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor().copy(
        "COPY samples (node_id, time, co2_ppm) FROM STDIN"
    ) as copy:
        copy.write(io.StringIO("\n".join(lines) + "\n").read())


def _node_deleted(w: World) -> None:
    w.session.delete(w.session.get(Node, w.node.id))
    w.session.flush()


def _truncated(w: World) -> None:
    w.execute("TRUNCATE samples")


WRITES: dict[str, Callable[[World], None]] = {
    "late and out of order": _late_and_out_of_order,
    "newer than all": _newer_than_all,
    "duplicate": _duplicate,
    "deleted newest": _deleted_newest,
    "deleted across the boundary": _deleted_across_the_boundary,
    "deleted all": _deleted_all,
    "moved into the first": _moved_into_the_first,
    "moved to the neighbour": _moved_to_the_neighbour,
    "corrected value": _corrected_value,
    "installation bounds changed": _bounds_changed,
    "installation moved to the neighbour": _installation_moved_to_the_neighbour,
    "installation added": _installation_added,
    "copied": _copied,
    "node deleted": _node_deleted,
    "truncated": _truncated,
}


def _expected(session: Session, node: Node, window: Window) -> WindowStats:
    count, newest = session.execute(
        text(
            "SELECT count(*), max(time) FROM samples "
            "WHERE node_id = :node AND time >= :start AND time < :stop"
        ),
        {"node": node.id, "start": window.start, "stop": window.stop},
    ).one()
    samples = samples_in(session, SeriesSource(node.id, node.owner_id), window)
    return WindowStats(
        count, None, newest if count else None, samples[-1] if samples else None
    )


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_tallies_equal_a_direct_count_after_each_write(
    session: Session, world: World, write: str
) -> None:
    WRITES[write](world)

    nodes = [n for n in (world.node, world.neighbour) if session.get(Node, n.id)]
    assert node_figures(session, [n.id for n in nodes]) == [
        _expected(session, n, ALL_TIME) for n in nodes
    ]
    installations = list(
        session.query(Installation)
        .filter(Installation.node_id.in_([world.node.id, world.neighbour.id]))
        .order_by(Installation.id)
    )
    found = installation_figures(session, [(i.id, i.node_id) for i in installations])
    expected = [
        _expected(session, session.get(Node, i.node_id), installation_window(i))  # type: ignore[arg-type]
        for i in installations
    ]
    assert found == expected
    assert any(f.count for f in found) or write in {
        "truncated",
        "deleted all",
        "node deleted",
    }


def test_the_boundary_sample_counts_in_both_installations(
    session: Session, world: World
) -> None:
    first, second = installation_figures(
        session, [(world.first.id, world.node.id), (world.second.id, world.node.id)]
    )

    assert first.last == BOUNDARY
    assert first.latest is not None
    assert first.latest["co2_ppm"] == 777
    (node,) = node_figures(session, [world.node.id])
    assert first.count + second.count == node.count + 1


def test_a_node_without_samples_has_empty_figures(session: Session) -> None:
    node = make_node(session)
    installation = make_installation(session, node)

    assert node_figures(session, [node.id]) == [WindowStats(0)]
    assert installation_figures(session, [(installation.id, node.id)]) == [
        WindowStats(0)
    ]
