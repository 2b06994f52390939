"""Enqueueing stored samples for the publishers: only public, unambiguous samples."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import Node, OutboxEntry
from app.services.outbox.enqueue import enqueue_stored
from tests.factories import T0, make_installation, make_node, make_samples


def _stage(session: Session, node: Node, count: int, start: object = T0) -> None:
    session.execute(
        text("CREATE TEMP TABLE IF NOT EXISTS stored (node_id uuid, time timestamptz)")
    )
    session.execute(
        text(
            "INSERT INTO stored SELECT node_id, time FROM samples "
            "WHERE node_id = :n AND time >= :t ORDER BY time LIMIT :c"
        ),
        {"n": node.id, "t": start, "c": count},
    )


def test_public_samples_are_queued_once_per_publisher(session: Session) -> None:
    inst = make_installation(session, is_public=True)
    node = session.get(Node, inst.node_id)
    assert node is not None
    make_samples(session, node, count=3)
    _stage(session, node, 3)

    written = enqueue_stored(session, "stored", ["webhook", "stadtpuls"])
    again = enqueue_stored(session, "stored", ["webhook", "stadtpuls"])

    rows = session.scalars(select(OutboxEntry)).all()
    assert written == 6
    assert again == 0
    assert {(r.publisher, r.installation_id) for r in rows} == {
        ("webhook", inst.id),
        ("stadtpuls", inst.id),
    }


def test_private_and_uninstalled_samples_are_not_queued(session: Session) -> None:
    private = make_installation(session, is_public=False)
    node = session.get(Node, private.node_id)
    assert node is not None
    loose = make_node(session)
    make_samples(session, node, count=2)
    make_samples(session, loose, count=2)
    _stage(session, node, 2)
    _stage(session, loose, 2)

    assert enqueue_stored(session, "stored", ["webhook"]) == 0


def test_samples_outside_the_installation_window_are_not_queued(
    session: Session,
) -> None:
    inst = make_installation(session, is_public=True, from_time=T0 + timedelta(hours=1))
    node = session.get(Node, inst.node_id)
    assert node is not None
    make_samples(session, node, count=3)  # T0 .. T0+10min: before the installation
    _stage(session, node, 3)

    assert enqueue_stored(session, "stored", ["webhook"]) == 0


def test_nothing_is_queued_without_publishers(session: Session) -> None:
    inst = make_installation(session, is_public=True)
    node = session.get(Node, inst.node_id)
    assert node is not None
    make_samples(session, node, count=1)
    _stage(session, node, 1)

    assert enqueue_stored(session, "stored", []) == 0
