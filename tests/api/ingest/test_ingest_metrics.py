"""Ingested samples are counted by outcome in ``airq_ingest_samples_total``."""

from __future__ import annotations

import json

from prometheus_client import REGISTRY

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Organization
from tests.factories import make_ingest_key, make_node

SINGLE, BATCH = "/ingest/v1/ingest/", "/ingest/v1/samples/"


def _count(outcome: str) -> float:
    value = REGISTRY.get_sample_value("airq_ingest_samples_total", {"outcome": outcome})
    return value or 0.0


def _counts() -> dict[str, float]:
    return {o: _count(o) for o in ("stored", "duplicate", "conflicting", "rejected")}


def test_single_ingest_counts_stored_then_duplicate(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))
    document = {
        "data": {
            "type": "Sample",
            "attributes": {"timestamp_s": 1_700_000_000, "co2_ppm": 700},
            "relationships": {"node": {"data": {"type": "Node", "id": str(node.id)}}},
        }
    }
    before = _counts()

    for _ in range(2):
        client.post(SINGLE, json=document, headers={"Authorization": f"Token {key}"})

    after = _counts()
    assert after["stored"] - before["stored"] == 1
    assert after["duplicate"] - before["duplicate"] == 1


def test_batch_ingest_counts_every_outcome(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))
    rows = [
        {"node_id": str(node.id), "timestamp_s": 1_700_000_000, "co2_ppm": 500},
        {"node_id": str(node.id), "timestamp_s": 1_700_000_060, "co2_ppm": 510},
        {"node_id": str(node.id), "timestamp_s": 1_700_000_120, "co2_ppm": -5},
    ]
    client.post(
        BATCH,
        data=json.dumps(rows[:1]),
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )
    rows.append({**rows[0], "co2_ppm": 900})  # the same time, other values
    before = _counts()

    response = client.post(
        BATCH,
        data=json.dumps(rows),
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )

    after = _counts()
    assert response.status_code == 200, response.get_json()
    assert {k: after[k] - before[k] for k in after} == {
        "stored": 1,
        "duplicate": 1,
        "conflicting": 1,
        "rejected": 1,
    }


def test_metrics_endpoint_shows_ingest_counts(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))
    client.post(
        BATCH,
        data=json.dumps(
            [{"node_id": str(node.id), "timestamp_s": 1_700_000_000, "co2_ppm": 500}]
        ),
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )

    text = client.get("/metrics").get_data(as_text=True)

    assert 'airq_ingest_samples_total{outcome="stored"}' in text
