"""Single-sample ingest on the app's own engine: each statement commits on its own.

The rolled-back ``session`` fixture keeps requests inside the test's transaction,
so the autocommit path is exercised here against committed data, cleaned up after.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flask import Flask

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import ApiToken, Node, NodeModel, Organization, Protocol, Sample
from app.services.ingest import driver
from tests.factories import make_ingest_key, make_node

TS = 1_660_000_000


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


def _post(app: Flask, node_id: str, key: str, co2_ppm: int) -> Any:
    body = {
        "data": {
            "type": "Sample",
            "attributes": {"timestamp_s": TS, "co2_ppm": co2_ppm},
            "relationships": {"node": {"data": {"type": "Node", "id": node_id}}},
        }
    }
    return app.test_client().post(
        "/ingest/v1/ingest/", json=body, headers={"Authorization": f"Token {key}"}
    )


def _stored(node: Node) -> list[int]:
    with db.engine.connect() as conn:
        stmt = select(Sample.co2_ppm).where(Sample.node_id == node.id)
        return list(conn.execute(stmt).scalars())


def test_single_ingest_commits_and_answers_like_in_a_transaction(
    app: Flask, committed_node: tuple[Node, str]
) -> None:
    node, key = committed_node

    statuses = [
        _post(app, str(node.id), key, 800).status_code,
        _post(app, str(node.id), key, 800).status_code,
        _post(app, str(node.id), key, 900).status_code,
        _post(app, "6f1c8e2a-4b7d-4c55-9a51-0d2f1e3c4b5a", key, 800).status_code,
    ]

    assert statuses == [201, 200, 409, 400]
    assert _stored(node) == [800]


def test_use_autocommit_applies_to_an_engine_bound_session(app: Flask) -> None:
    session = db.session()
    try:
        switched = driver.use_autocommit(session)
        autocommit = driver.connection(session).autocommit
    finally:
        db.session.remove()

    assert (switched, autocommit) == (True, True)


def test_use_autocommit_keeps_a_callers_transaction(session: Session) -> None:
    switched = driver.use_autocommit(session)

    assert switched is False
    assert driver.connection(session).autocommit is False
