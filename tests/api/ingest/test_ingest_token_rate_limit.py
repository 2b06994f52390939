"""Unknown or revoked ingest tokens are limited per client address (429)."""

from __future__ import annotations

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


def test_ingest_throttled_address_is_refused_even_with_a_good_token(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    key = make_ingest_key(session, session.get(Organization, node.owner_id))
    for n in range(3):
        _post(client, node, f"wrong-{n}")

    assert_refused(
        client,
        "POST",
        URL,
        429,
        json=_body(node, 1_700_000_000),
        headers={"Authorization": f"Token {key}"},
        environ_base={"REMOTE_ADDR": "10.1.0.1"},
        unchanged=("samples",),
    )


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
