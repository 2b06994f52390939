"""Unknown or revoked ingest tokens are limited per client address (429)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy.orm import Session

from app.models import Node, Organization
from tests.factories import make_ingest_key, make_node
from tests.support.refusals import assert_refused

URL = "/ingest/v1/ingest/"
BATCH = "/ingest/v1/samples/"
TS = 1_700_000_000


@pytest.fixture(autouse=True)
def small_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three bad tokens per client address in a 10-minute window."""
    monkeypatch.setitem(app.config, "INGEST_TOKEN_RATE_LIMIT_ADDRESS", 3)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_WINDOW_S", 600)


def _body(node: Node, timestamp_s: int = 1_700_000_000) -> dict[str, Any]:
    return {
        "data": {
            "type": "Sample",
            "attributes": {"timestamp_s": timestamp_s, "co2_ppm": 700},
            "relationships": {"node": {"data": {"type": "Node", "id": str(node.id)}}},
        }
    }


def _post(
    client: FlaskClient, node: Node, token: str, addr: str = "10.1.0.1", ts: int = 0
) -> TestResponse:
    return client.post(
        URL,
        json=_body(node, 1_700_000_000 + ts),
        headers={"Authorization": f"Token {token}"},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_ingest_bad_tokens_over_limit_are_429_with_retry_after(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    failures = [_post(client, node, f"wrong-{n}").status_code for n in range(3)]

    resp = _post(client, node, "wrong-again")

    assert failures == [401, 401, 401]
    assert resp.status_code == 429
    assert 0 < int(resp.headers["Retry-After"]) <= 600
    error = resp.get_json()["errors"][0]
    assert (error["status"], error["code"]) == ("429", "throttled")


def test_ingest_throttled_address_still_takes_every_valid_token(
    client: FlaskClient, session: Session
) -> None:
    """Webhooks of many tenants share a network server's address: one tenant's
    bad tokens must not stop another's ingest."""
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))
    for n in range(3):
        _post(client, node, f"wrong-{n}")
    batch = json.dumps([{"node_id": str(node.id), "timestamp_s": TS + 1, "co2_ppm": 7}])

    single = _post(client, node, key)
    batched = client.post(
        BATCH,
        data=batch,
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
        environ_base={"REMOTE_ADDR": "10.1.0.1"},
    )
    bad_again = _post(client, node, "wrong-again")

    assert single.status_code == 201
    assert (batched.status_code, batched.get_json()["meta"]["stored"]) == (200, 1)
    assert bad_again.status_code == 429


def test_ingest_throttle_is_per_client_address(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))
    for n in range(3):
        _post(client, node, f"wrong-{n}")

    resp = _post(client, node, key, addr="10.1.0.2")

    assert resp.status_code == 201


def test_ingest_good_tokens_are_never_counted(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))

    answers = [_post(client, node, key, ts=n).status_code for n in range(5)]

    assert answers == [201] * 5


def test_ingest_batch_bad_tokens_count_too(
    client: FlaskClient, session: Session
) -> None:
    for _ in range(3):
        client.post(
            BATCH,
            data=b"[]",
            content_type="application/json",
            headers={"Authorization": "Token wrong"},
            environ_base={"REMOTE_ADDR": "10.1.0.3"},
        )

    assert_refused(
        client,
        "POST",
        BATCH,
        429,
        data=b"[]",
        content_type="application/json",
        headers={"Authorization": "Token wrong"},
        environ_base={"REMOTE_ADDR": "10.1.0.3"},
        unchanged=("samples",),
    )
