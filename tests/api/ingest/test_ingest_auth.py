"""Ingest credentials: ingest tokens (scoped or deployment-wide) or INGEST_AUTH=none."""

from __future__ import annotations

from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken, Node, Sample
from app.services.accounts import tokens
from app.services.ingest import credentials
from tests.factories import make_ingest_key, make_node, make_organization, make_user
from tests.support.refusals import assert_refused

URL = "/ingest/v1/ingest/"


def _doc(response: Any) -> Any:
    """The JSON body of a response (a document on every ingest answer)."""
    body = response.get_json()
    assert body is not None
    return body


def _body(node: Node, timestamp_s: int = 1_700_000_000) -> dict[str, Any]:
    return {
        "data": {
            "type": "Sample",
            "attributes": {"timestamp_s": timestamp_s, "co2_ppm": 700},
            "relationships": {"node": {"data": {"type": "Node", "id": str(node.id)}}},
        }
    }


@pytest.fixture
def node(session: Session) -> Node:
    return make_node(session)


def test_ingest_without_token_is_401_naming_the_header(
    client: FlaskClient, session: Session, node: Node
) -> None:
    response = client.post(URL, json=_body(node))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert _doc(response)["errors"][0]["source"] == {"header": "Authorization"}
    assert session.scalars(select(Sample)).all() == []


@pytest.mark.parametrize("header", ["Token nope", "Bearer nope", "Basic dXNlcjpwdw=="])
def test_ingest_with_unknown_token_is_401(
    client: FlaskClient, node: Node, header: str
) -> None:
    assert_refused(
        client,
        "POST",
        URL,
        401,
        json=_body(node),
        headers={"Authorization": header},
        unchanged=("samples",),
        header="Authorization",
    )


def test_ingest_with_revoked_token_is_401(
    client: FlaskClient, session: Session, node: Node
) -> None:
    issued = tokens.issue_ingest_token(session, node.owner_id)
    tokens.revoke(session, issued.token.id)

    response = client.post(
        URL, json=_body(node), headers={"Authorization": f"Token {issued.key}"}
    )

    assert response.status_code == 401
    assert "revoked" in _doc(response)["errors"][0]["detail"]


def test_ingest_with_a_user_api_key_is_401(
    client: FlaskClient, session: Session, node: Node
) -> None:
    key = tokens.issue_user_key(session, make_user(session)).key

    assert_refused(
        client,
        "POST",
        URL,
        401,
        json=_body(node),
        headers={"Authorization": f"Token {key}"},
        unchanged=("samples",),
        header="Authorization",
    )


@pytest.mark.parametrize(
    "header",
    [
        ("Authorization", "Token {key}"),
        ("Authorization", "Bearer {key}"),
        ("X-Ingest-Token", "{key}"),
    ],
)
def test_ingest_token_is_accepted_in_each_supported_header(
    client: FlaskClient, session: Session, node: Node, header: tuple[str, str]
) -> None:
    key = make_ingest_key(session, node.owner)
    name, template = header

    response = client.post(
        URL, json=_body(node), headers={name: template.format(key=key)}
    )

    assert response.status_code == 201


def test_ingest_token_header_name_is_configurable(
    client: FlaskClient, session: Session, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        client.application.config, "INGEST_TOKEN_HEADER", "X-Hook-Secret"
    )
    key = make_ingest_key(session, node.owner)

    response = client.post(URL, json=_body(node), headers={"X-Hook-Secret": key})

    assert response.status_code == 201


def test_ingest_token_of_another_organization_is_403_and_stores_nothing(
    client: FlaskClient, session: Session, node: Node
) -> None:
    key = make_ingest_key(session, make_organization(session))

    response = client.post(
        URL, json=_body(node), headers={"Authorization": f"Token {key}"}
    )

    assert response.status_code == 403
    assert _doc(response)["errors"][0]["source"] == {
        "pointer": "/data/relationships/node"
    }
    assert session.scalars(select(Sample)).all() == []


def test_ingest_deployment_wide_token_posts_for_any_organization(
    client: FlaskClient, session: Session
) -> None:
    key = make_ingest_key(session, None)
    nodes = [make_node(session), make_node(session)]

    statuses = [
        client.post(
            URL, json=_body(n), headers={"Authorization": f"Token {key}"}
        ).status_code
        for n in nodes
    ]

    assert statuses == [201, 201]


def test_ingest_token_use_is_recorded(
    client: FlaskClient, session: Session, node: Node
) -> None:
    issued = tokens.issue_ingest_token(session, node.owner_id)

    client.post(URL, json=_body(node), headers={"Authorization": f"Token {issued.key}"})

    token = session.scalars(
        select(ApiToken).where(ApiToken.id == issued.token.id)
    ).one()
    session.refresh(token)
    assert token.last_used_at is not None


def test_ingest_auth_none_needs_no_token(
    client: FlaskClient, session: Session, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_AUTH", "none")

    response = client.post(URL, json=_body(node))

    assert response.status_code == 201


def test_ingest_auth_none_ignores_presented_credentials(
    client: FlaskClient, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_AUTH", "none")

    response = client.post(URL, json=_body(node), headers={"Authorization": "Token x"})

    assert response.status_code == 201


def _post_with(client: FlaskClient, node: Node, key: str, timestamp_s: int) -> int:
    return client.post(
        URL, json=_body(node, timestamp_s), headers={"Authorization": f"Token {key}"}
    ).status_code


def test_revoked_token_stops_at_once_without_the_token_cache(
    client: FlaskClient, session: Session, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_TOKEN_CACHE_S", 0)
    issued = tokens.issue_ingest_token(session, node.owner_id)
    first = _post_with(client, node, issued.key, 1_700_000_000)
    tokens.revoke(session, issued.token.id)

    second = _post_with(client, node, issued.key, 1_700_000_060)

    assert (first, second) == (201, 401)


def test_revoked_token_works_until_the_token_cache_expires(
    client: FlaskClient, session: Session, node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_TOKEN_CACHE_S", 3600)
    issued = tokens.issue_ingest_token(session, node.owner_id)
    first = _post_with(client, node, issued.key, 1_700_000_000)
    tokens.revoke(session, issued.token.id)

    second = _post_with(client, node, issued.key, 1_700_000_060)

    assert (first, second) == (201, 201)


def test_token_cache_forgets_after_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = credentials.TokenCache(ttl_s=5)
    now = [1000.0]
    monkeypatch.setattr(
        "app.services.ingest.credentials.time.monotonic", lambda: now[0]
    )
    cache.put("digest", credentials.IngestScope(organization_id=7, token_id=1))

    remembered = cache.get("digest")
    now[0] += 5.1

    assert remembered == credentials.IngestScope(organization_id=7, token_id=1)
    assert cache.get("digest") is None
