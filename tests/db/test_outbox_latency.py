"""Ingest's side of the outbox never waits for a platform, even one that hangs.

Committed data on separate connections (the delivery must really hold its row
locks while the platform hangs); everything made here is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer

from flask import Flask

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Address, Node, Organization, OutboxEntry, Sample
from app.models.types import utcnow
from app.services.access import SYSTEM
from app.services.outbox import publishers
from app.services.outbox.delivery import DeliverySettings, deliver
from app.services.outbox.enqueue import enqueue_stored
from tests.factories import make_installation, make_samples
from tests.support.platforms import Platforms, Trouble

HANG_TIMEOUT_S = 1.0


@pytest.fixture
def committed(app: Flask) -> Iterator[Session]:
    """A session whose commits are real; its organizations are deleted afterwards."""
    session = Session(db.engine)
    last_org = session.scalar(select(func.max(Organization.id))) or 0
    last_address = session.scalar(select(func.max(Address.id))) or 0
    session.rollback()
    yield session
    session.rollback()
    orgs = session.scalars(select(Organization).where(Organization.id > last_org))
    for org in orgs:
        node_ids = select(Node.id).where(Node.owner_id == org.id)
        session.execute(delete(Sample).where(Sample.node_id.in_(node_ids)))
        session.delete(org)
    session.flush()
    session.execute(delete(Address).where(Address.id > last_address))
    session.commit()
    session.close()


@pytest.fixture
def hanging_webhook() -> Iterator[Platforms]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    fake = Platforms(server)
    fake.install()
    fake.trouble["webhook"] = Trouble(hang=100)
    yield fake
    fake.reset()
    server.clear()
    server.stop()


def _stage(session: Session, node: Node) -> None:
    session.execute(
        text(
            "CREATE TEMP TABLE stored ON COMMIT DROP AS "
            "SELECT node_id, time FROM samples WHERE node_id = :n"
        ),
        {"n": node.id},
    )


def test_enqueue_does_not_wait_for_a_delivery_stuck_on_a_hanging_platform(
    committed: Session, hanging_webhook: Platforms
) -> None:
    inst = make_installation(committed, is_public=True)
    node = committed.get(Node, inst.node_id)
    assert node is not None
    first = make_samples(committed, node, count=10)
    _stage(committed, node)
    enqueue_stored(committed, "stored", ["webhook"])
    committed.commit()
    delivering = threading.Event()
    engine = db.engine

    def deliver_in_background() -> None:
        with (
            Session(engine) as session,
            publishers.http_client(HANG_TIMEOUT_S) as client,
        ):
            pubs = publishers.build(["webhook"], hanging_webhook.settings(), client)
            delivering.set()
            deliver(session, SYSTEM, pubs, DeliverySettings(), now=utcnow())
            session.commit()

    worker = threading.Thread(target=deliver_in_background)
    worker.start()
    assert delivering.wait(5)
    time.sleep(0.3)  # the delivery has claimed (locked) the rows and is waiting

    started = time.monotonic()
    with Session(db.engine) as ingest:
        make_samples(
            ingest, node, start=first[-1].time + timedelta(minutes=5), count=10
        )
        _stage(ingest, node)  # the 10 new samples and the 10 locked ones again
        written = enqueue_stored(ingest, "stored", ["webhook"])
        ingest.commit()
    elapsed = time.monotonic() - started
    worker.join(10)

    assert written == 10
    assert elapsed < 0.5 * HANG_TIMEOUT_S, f"enqueue took {elapsed:.2f} s"
    assert hanging_webhook.calls["webhook"] == 1  # the delivery's request only
    rows = committed.scalars(
        select(OutboxEntry).where(OutboxEntry.node_id == node.id)
    ).all()
    assert len(rows) == 20
