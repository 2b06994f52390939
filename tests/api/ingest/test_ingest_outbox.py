"""Every ingest path queues stored public samples for the enabled publishers."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Installation, Node, OutboxEntry
from tests.factories import T0, make_ingest_key, make_installation, make_protocol

TS = int(T0.timestamp()) + 3600


@pytest.fixture
def installation(session: Session) -> Installation:
    return make_installation(session, is_public=True)


@pytest.fixture
def node(session: Session, installation: Installation) -> Node:
    found = session.get(Node, installation.node_id)
    assert found is not None
    return found


@pytest.fixture
def auth(session: Session, node: Node) -> dict[str, str]:
    return {"Authorization": f"Token {make_ingest_key(session, node.owner)}"}


@pytest.fixture
def integration(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(client.application.config, "IOTDP_INTEGRATION", True)
    monkeypatch.setitem(
        client.application.config, "IOTDP_PUBLISHERS", ("stadtpuls", "webhook")
    )


def _outbox(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(
        select(OutboxEntry.publisher, OutboxEntry.time).order_by(
            OutboxEntry.time, OutboxEntry.publisher
        )
    ).all()
    return [(p, int(t.timestamp())) for p, t in rows]


def _sample(node: Node, ts: int) -> dict[str, Any]:
    return {
        "data": {
            "type": "Sample",
            "attributes": {"timestamp_s": ts, "co2_ppm": 700},
            "relationships": {"node": {"data": {"type": "Node", "id": str(node.id)}}},
        }
    }


@pytest.mark.usefixtures("integration")
def test_single_ingest_queues_a_public_sample_once_per_publisher(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    client.post("/ingest/v1/ingest/", json=_sample(node, TS), headers=auth)
    client.post("/ingest/v1/ingest/", json=_sample(node, TS), headers=auth)

    assert _outbox(session) == [("stadtpuls", TS), ("webhook", TS)]


@pytest.mark.usefixtures("integration")
def test_batch_ingest_queues_only_the_samples_it_stored(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    first = f"node_id,timestamp_s,co2_ppm\n{node.id},{TS},700\n"
    client.post(
        "/ingest/v1/samples/", data=first, headers={**auth, "Content-Type": "text/csv"}
    )
    session.execute(delete(OutboxEntry))
    both = first + f"{node.id},{TS + 60},710\n"

    client.post(
        "/ingest/v1/samples/", data=both, headers={**auth, "Content-Type": "text/csv"}
    )

    assert _outbox(session) == [("stadtpuls", TS + 60), ("webhook", TS + 60)]


@pytest.mark.usefixtures("integration")
def test_webhook_ingest_queues_decoded_public_samples(
    client: FlaskClient, session: Session, node: Node, auth: dict[str, str]
) -> None:
    node.protocol_id = make_protocol(session, identifier="TALKPOOLOY1012").id
    session.flush()
    body = {
        "end_device_ids": {"dev_eui": node.eui64},
        "uplink_message": {
            "frm_payload": base64.b64encode(bytes.fromhex("3E441D021B")).decode(),
            "received_at": "2024-01-01T01:00:00Z",
        },
    }

    response = client.post("/ingest/v1/ttn/", json=body, headers=auth)

    assert response.status_code == 200
    assert _outbox(session) == [("stadtpuls", TS), ("webhook", TS)]


def test_nothing_is_queued_without_iotdp_integration(
    client: FlaskClient,
    session: Session,
    node: Node,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(client.application.config, "IOTDP_PUBLISHERS", ("webhook",))

    client.post("/ingest/v1/ingest/", json=_sample(node, TS), headers=auth)

    assert _outbox(session) == []
