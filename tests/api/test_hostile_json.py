"""Hostile JSON on every body reader: deep nesting, NUL and lone surrogates are 400s.

Deep nesting used to end in a ``RecursionError`` (500) on every JSON:API body;
a lone surrogate in a string in a ``UnicodeEncodeError`` (500) while the answer
or the database statement was encoded, and NUL in a database error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy.orm import Session

from app.models import Node, Role
from tests.factories import (
    count,
    make_ingest_key,
    make_membership,
    make_node,
    make_user,
)
from tests.support.accounts import AUTH
from tests.support.auth import auth_headers
from tests.support.servers import sample_document

JSONAPI = "application/vnd.api+json"
NDJSON = "application/x-ndjson"
BATCH = "/ingest/v1/samples/"
TS = 1_700_000_000
READERS = [
    ("/api/v1/organizations/", JSONAPI, "user"),
    ("/api/v1/sites/", JSONAPI, "user"),
    (f"{AUTH}/login/", JSONAPI, "anonymous"),  # webargs' parser
    ("/ingest/v1/ingest/", JSONAPI, "ingest"),
    ("/ingest/v1/ttn/", "application/json", "ingest"),
    ("/ingest/v1/chirpstack/?event=up", "application/json", "ingest"),
    (BATCH, "application/json", "ingest"),
    (BATCH, NDJSON, "ingest"),
]
LONE = ["\ud800", "\udfff", "\x00"]


@pytest.fixture
def node(session: Session) -> Node:
    return make_node(session)


@pytest.fixture
def callers(session: Session, node: Node) -> dict[str, dict[str, str]]:
    ingest = {"Authorization": f"Token {make_ingest_key(session, node.owner)}"}
    # An owner, so that writes get past authorization to the body.
    owner = make_user(session)
    make_membership(session, owner, node.owner, Role.OWNER)
    return {
        "anonymous": {},
        "user": auth_headers(session, owner),  # commits all of them
        "ingest": ingest,
    }


def _post(
    client: FlaskClient, path: str, media_type: str, headers: dict[str, str], body: Any
) -> TestResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, data=raw, headers={**headers, "Content-Type": media_type})


def _error(response: TestResponse, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == JSONAPI
    document: dict[str, Any] = json.loads(response.get_data())
    first: dict[str, Any] = document["errors"][0]
    return first


@pytest.mark.parametrize(("path", "media_type", "caller"), READERS)
def test_nesting_of_a_thousand_levels_is_400_too_deep(
    client: FlaskClient,
    callers: dict[str, dict[str, str]],
    path: str,
    media_type: str,
    caller: str,
) -> None:
    body = b"[" * 1000 + b"]" * 1000

    response = _post(client, path, media_type, callers[caller], body)

    error = _error(response)
    assert (error["code"], error["source"]) == ("too_deep", {"pointer": ""})
    assert "32 levels" in error["detail"]


def test_nesting_inside_an_attribute_is_400_and_stores_nothing(
    client: FlaskClient, session: Session, callers: dict[str, dict[str, str]]
) -> None:
    deep: Any = 1
    for _ in range(40):
        deep = [deep]
    body = {"data": {"type": "Organization", "attributes": {"name": "D", "x": deep}}}
    before = count(session, "organizations")

    response = _post(client, "/api/v1/organizations/", JSONAPI, callers["user"], body)

    assert _error(response)["code"] == "too_deep"
    assert count(session, "organizations") == before


@pytest.mark.parametrize("char", LONE)
@pytest.mark.parametrize("path", ["/api/v1/organizations/", "/api/v1/sites/"])
def test_unstorable_character_in_an_attribute_is_400_at_its_pointer(
    client: FlaskClient,
    session: Session,
    callers: dict[str, dict[str, str]],
    path: str,
    char: str,
) -> None:
    type_ = "Organization" if "organizations" in path else "Site"
    body = {"data": {"type": type_, "attributes": {"name": f"a{char}b"}}}
    before = count(session, "organizations"), count(session, "sites")

    response = _post(client, path, JSONAPI, callers["user"], body)

    error = _error(response)
    assert error["code"] == "invalid_text"
    assert error["source"] == {"pointer": "/data/attributes/name"}
    assert (count(session, "organizations"), count(session, "sites")) == before


def test_lone_surrogate_in_a_log_in_is_400_at_the_username(
    client: FlaskClient,
) -> None:
    body = {"data": {"type": "LoginView", "attributes": {"username": "a\ud800"}}}

    response = _post(client, f"{AUTH}/login/", JSONAPI, {}, body)

    error = _error(response)
    assert error["source"] == {"pointer": "/data/attributes/username"}


@pytest.mark.parametrize("char", LONE)
def test_unstorable_character_in_a_single_sample_is_400_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    callers: dict[str, dict[str, str]],
    node: Node,
    char: str,
) -> None:
    body = sample_document(str(node.id), TS, 500)
    body["data"]["attributes"]["measurement_status"] = char
    before = count(session, "samples")

    response = _post(client, "/ingest/v1/ingest/", JSONAPI, callers["ingest"], body)

    error = _error(response)
    assert error["source"] == {"pointer": "/data/attributes/measurement_status"}
    assert count(session, "samples") == before


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        (
            "/ingest/v1/ttn/",
            {"end_device_ids": {"dev_eui": "A8\ud800"}, "uplink_message": {}},
            "/end_device_ids/dev_eui",
        ),
        (
            "/ingest/v1/chirpstack/?event=up",
            {"deviceInfo": {"devEui": "a8\udc00"}, "data": "AQI="},
            "/deviceInfo/devEui",
        ),
    ],
)
def test_unstorable_character_in_a_webhook_is_400_at_its_pointer(
    client: FlaskClient,
    callers: dict[str, dict[str, str]],
    path: str,
    body: dict[str, Any],
    pointer: str,
) -> None:
    response = _post(client, path, "application/json", callers["ingest"], body)

    assert _error(response)["source"] == {"pointer": pointer}


@pytest.mark.parametrize("char", LONE)
def test_unstorable_character_in_an_ndjson_line_rejects_that_line_only(
    client: FlaskClient, callers: dict[str, dict[str, str]], node: Node, char: str
) -> None:
    good = {"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 500}
    lines = [{**good, "measurement_status": char}, {**good, "timestamp_s": TS + 60}]
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()

    response = _post(client, BATCH, NDJSON, callers["ingest"], body)

    assert response.status_code == 200, response.get_data(as_text=True)
    meta = json.loads(response.get_data())["meta"]
    assert (meta["stored"], meta["rejected"]) == (1, 1)
    (rejection,) = meta["rejections"]
    assert rejection["row"] == 1
    assert "(at /measurement_status of this line)" in rejection["detail"]


@pytest.mark.parametrize("char", ["\ud800", "\x00"])
def test_unstorable_character_in_a_json_array_rejects_that_sample_only(
    client: FlaskClient, callers: dict[str, dict[str, str]], node: Node, char: str
) -> None:
    good = {"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 500}
    body = [{**good, "measurement_status": char}, {**good, "timestamp_s": TS + 60}]

    response = _post(client, BATCH, "application/json", callers["ingest"], body)

    assert response.status_code == 200, response.get_data(as_text=True)
    meta = json.loads(response.get_data())["meta"]
    assert (meta["stored"], meta["rejected"]) == (1, 1)
    assert meta["rejections"][0]["field"] == "measurement_status"


@pytest.mark.parametrize(
    "text",
    [b"\\udfff", b"\xed\xa0\x80"],  # yajl passes a lone low surrogate on undecodable
)
def test_json_array_with_undecodable_text_is_400_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    callers: dict[str, dict[str, str]],
    node: Node,
    text: bytes,
) -> None:
    good = {"node_id": str(node.id), "timestamp_s": TS, "co2_ppm": 500}
    body = b"[" + json.dumps(good).encode() + b', {"time": "' + text + b'"}]'
    before = count(session, "samples")

    response = _post(client, BATCH, "application/json", callers["ingest"], body)

    assert "not UTF-8" in _error(response)["detail"]
    assert count(session, "samples") == before


def test_nul_in_a_csv_cell_rejects_that_row_only(
    client: FlaskClient, callers: dict[str, dict[str, str]], node: Node
) -> None:
    body = (
        "node_id,timestamp_s,co2_ppm,measurement_status\n"
        f"{node.id},{TS},500,\x00\n"
        f"{node.id},{TS + 60},500,M\n"
    ).encode()

    response = _post(client, BATCH, "text/csv", callers["ingest"], body)

    assert response.status_code == 200, response.get_data(as_text=True)
    meta = json.loads(response.get_data())["meta"]
    assert (meta["stored"], meta["rejected"]) == (1, 1)
    assert meta["rejections"][0]["field"] == "measurement_status"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/sites/?filter[search]=a%00b", "filter[search]"),
        ("/api/v1/organizations/?filter[search]=%00", "filter[search]"),
        ("/api/v1/users/?filter[username]=x%00", "filter[username]"),
        ("/api/v1/nodes/?filter[search]=%00&page[size]=5", "filter[search]"),
        ("/api/v1/rooms/?filter%00=1", "filter?"),
    ],
)
def test_nul_in_a_query_parameter_is_400_naming_it(
    client: FlaskClient,
    callers: dict[str, dict[str, str]],
    path: str,
    parameter: str,
) -> None:
    response = client.get(path, headers=callers["user"])
    error = _error(response)
    assert error["source"] == {"parameter": parameter}
    assert "NUL" in error["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organizations/",
        "/api/v1/sites/",
        "/api/v1/rooms/",
        "/api/v1/memberships/",
        "/api/v1/alert-rules/",
        "/api/v1/organizations/{org}/relationships/users/",
    ],
)
@pytest.mark.parametrize("raw", [b'{"data":', b"not json", b'{"data": {}} trailing'])
def test_a_body_that_is_not_json_is_400_saying_so(
    client: FlaskClient,
    session: Session,
    callers: dict[str, dict[str, str]],
    node: Node,
    path: str,
    raw: bytes,
) -> None:
    """An unparsable body was answered as one without primary data ("does not
    contain primary data"), telling the client to add the data it had sent."""
    before = (count(session, "organizations"), count(session, "memberships"))

    response = _post(
        client, path.format(org=node.owner_id), JSONAPI, callers["user"], raw
    )

    error = _error(response)
    assert error["source"] == {"pointer": ""}
    assert "not valid JSON" in error["detail"]
    assert (count(session, "organizations"), count(session, "memberships")) == before
