"""Concurrent batches carrying the same samples: each sample is stored exactly once.

These tests commit for real (two requests in two transactions at once), so they
use the app's own engine instead of the rolled-back ``session`` fixture and delete
what they made afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from flask import Flask

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import ApiToken, Node, NodeModel, Organization, Protocol, Sample
from tests.factories import make_ingest_key, make_node

TS = 1_650_000_000
ROWS = 3_000


@pytest.fixture
def committed_node(app: Flask) -> Iterator[tuple[Node, str]]:
    """A committed node and an ingest token for it; removed after the test."""
    session = db.session()
    node = make_node(session)
    key = make_ingest_key(session, node.owner)
    session.commit()
    yield node, key
    session.execute(delete(ApiToken).where(ApiToken.organization_id == node.owner_id))
    session.execute(delete(Organization).where(Organization.id == node.owner_id))
    session.execute(delete(Protocol).where(Protocol.id == node.protocol_id))
    session.execute(delete(NodeModel).where(NodeModel.id == node.model_id))
    session.commit()
    db.session.remove()


def _post_at_once(app: Flask, bodies: list[str], key: str) -> list[Any]:
    barrier = threading.Barrier(len(bodies))
    answers: list[Any] = [None] * len(bodies)

    def post(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/ingest/v1/samples/",
            data=bodies[index],
            headers={"Authorization": f"Token {key}", "Content-Type": "text/csv"},
        )
        answers[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _csv(node: Node, timestamps: list[int]) -> str:
    rows = [f"{node.id},{ts},{400 + ts % 500}" for ts in timestamps]
    return "node_id,timestamp_s,co2_ppm\n" + "\n".join(rows) + "\n"


def _count(node: Node) -> int:
    with db.engine.connect() as conn:
        stmt = select(func.count()).select_from(Sample).where(Sample.node_id == node.id)
        return int(conn.execute(stmt).scalar_one())


def test_concurrent_identical_batches_store_each_sample_once(
    app: Flask, committed_node: tuple[Node, str]
) -> None:
    node, key = committed_node
    body = _csv(node, [TS + 60 * i for i in range(ROWS)])

    answers = _post_at_once(app, [body, body], key)

    assert [status for status, _ in answers] == [200, 200]
    metas = [doc["meta"] for _, doc in answers]
    assert sorted(m["stored"] for m in metas) == [0, ROWS]
    assert sorted(m["duplicate"] for m in metas) == [0, ROWS]
    assert _count(node) == ROWS


def test_concurrent_overlapping_batches_in_opposite_order_both_finish(
    app: Flask, committed_node: tuple[Node, str]
) -> None:
    node, key = committed_node
    forward = [TS + 60 * i for i in range(ROWS)]
    backward = [TS + 60 * i for i in range(ROWS // 2, ROWS + ROWS // 2)][::-1]

    answers = _post_at_once(app, [_csv(node, forward), _csv(node, backward)], key)

    assert [status for status, _ in answers] == [200, 200]
    metas = [doc["meta"] for _, doc in answers]
    assert sum(m["stored"] for m in metas) == ROWS + ROWS // 2
    assert sum(m["duplicate"] for m in metas) == ROWS // 2
    assert _count(node) == ROWS + ROWS // 2
