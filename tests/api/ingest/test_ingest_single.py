"""POST /ingest/v1/ingest/: Managair's one-sample ingest with its defects fixed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Node, Sample
from tests.factories import make_ingest_key, make_node
from tests.support.refusals import assert_refused

URL = "/ingest/v1/ingest/"
TS = 1_700_000_000


def _doc(response: Any) -> Any:
    """The JSON body of a response (a document on every ingest answer)."""
    body = response.get_json()
    assert body is not None
    return body


def _body(node: Node | str, **attributes: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "timestamp_s": TS,
        "co2_ppm": 800,
        "temperature_celsius": 21.5,
        "rel_humidity_percent": 45,
    }
    attrs.update(attributes)
    node_id = node if isinstance(node, str) else str(node.id)
    return {
        "data": {
            "type": "Sample",
            "attributes": {k: v for k, v in attrs.items() if v is not ...},
            "relationships": {"node": {"data": {"type": "Node", "id": node_id}}},
        }
    }


@pytest.fixture
def node(session: Session) -> Node:
    return make_node(session)


@pytest.fixture
def headers(session: Session, node: Node) -> dict[str, str]:
    org = node.owner
    return {
        "Authorization": f"Token {make_ingest_key(session, org)}",
        "Content-Type": "application/vnd.api+json",
    }


def _post(client: FlaskClient, body: Any, headers: dict[str, str]) -> Any:
    return client.post(URL, json=body, headers=headers)


def _pointers(response: Any) -> list[str]:
    return [e.get("source", {}).get("pointer") for e in _doc(response)["errors"]]


def test_ingest_new_sample_is_stored_and_answered_201(
    client: FlaskClient, session: Session, node: Node, headers: dict[str, str]
) -> None:
    response = _post(client, _body(node), headers)

    assert response.status_code == 201
    assert response.mimetype == "application/vnd.api+json"
    data = _doc(response)["data"]
    assert data["type"] == "Sample"
    assert data["attributes"] == {
        "timestamp_s": TS,
        "co2_ppm": 800,
        "temperature_celsius": "21.5",
        "rel_humidity_percent": 45,
        "measurement_status": "M",
    }
    assert data["relationships"]["node"]["data"] == {"type": "Node", "id": str(node.id)}
    stored = session.scalars(select(Sample).where(Sample.node_id == node.id)).one()
    assert stored.time == datetime.fromtimestamp(TS, UTC)
    assert stored.co2_ppm == 800


def test_ingest_minus_zero_is_answered_as_stored_and_its_retry_is_identical(
    client: FlaskClient, node: Node, headers: dict[str, str]
) -> None:
    first = _post(client, _body(node, temperature_celsius="-0.0"), headers)
    retry = _post(client, _body(node, temperature_celsius="0.0"), headers)

    assert (first.status_code, retry.status_code) == (201, 200)
    for response in (first, retry):
        assert _doc(response)["data"]["attributes"]["temperature_celsius"] == "0.0"


def test_ingest_clair_ttn_body_without_optional_values_is_stored(
    client: FlaskClient, node: Node, headers: dict[str, str]
) -> None:
    body = _body(node, temperature_celsius=..., rel_humidity_percent=...)

    response = _post(client, body, headers)

    assert response.status_code == 201
    assert _doc(response)["data"]["attributes"]["temperature_celsius"] is None


def test_ingest_identical_retry_answers_200_and_stores_once(
    client: FlaskClient, session: Session, node: Node, headers: dict[str, str]
) -> None:
    _post(client, _body(node), headers)

    response = _post(client, _body(node, temperature_celsius="21.50"), headers)

    assert response.status_code == 200
    assert _doc(response)["data"]["attributes"]["co2_ppm"] == 800
    assert len(session.scalars(select(Sample)).all()) == 1


def test_ingest_different_values_at_a_stored_time_is_409_and_changes_nothing(
    client: FlaskClient, session: Session, node: Node, headers: dict[str, str]
) -> None:
    _post(client, _body(node), headers)

    response = _post(client, _body(node, co2_ppm=900, rel_humidity_percent=50), headers)

    assert response.status_code == 409
    assert _pointers(response) == [
        "/data/attributes/co2_ppm",
        "/data/attributes/rel_humidity_percent",
    ]
    assert session.scalars(select(Sample.co2_ppm)).one() == 800


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"co2_ppm": 10_001}, "/data/attributes/co2_ppm"),
        ({"co2_ppm": ...}, "/data/attributes/co2_ppm"),
        ({"co2_ppm": "lots"}, "/data/attributes/co2_ppm"),
        ({"temperature_celsius": 40.5}, "/data/attributes/temperature_celsius"),
        ({"temperature_celsius": 21.55}, "/data/attributes/temperature_celsius"),
        ({"rel_humidity_percent": 101}, "/data/attributes/rel_humidity_percent"),
        ({"timestamp_s": -5}, "/data/attributes/timestamp_s"),
        ({"timestamp_s": True}, "/data/attributes/timestamp_s"),
        ({"timestamp_s": 2_147_483_000}, "/data/attributes/timestamp_s"),
        ({"measurement_status": "Q"}, "/data/attributes/measurement_status"),
    ],
)
def test_ingest_bad_value_is_400_with_pointer_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    node: Node,
    headers: dict[str, str],
    attributes: dict[str, Any],
    pointer: str,
) -> None:
    response = _post(client, _body(node, **attributes), headers)

    assert response.status_code == 400
    assert _pointers(response) == [pointer]
    assert session.scalars(select(Sample)).all() == []


def test_ingest_future_timestamp_beyond_configured_skew_is_400(
    client: FlaskClient,
    node: Node,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(client.application.config, "INGEST_MAX_FUTURE_S", 0)
    ahead = int(datetime.now(UTC).timestamp()) + 60

    response = _post(client, _body(node, timestamp_s=ahead), headers)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["code"] == "future"


def test_ingest_sample_from_an_unset_clock_is_400_and_stores_nothing(
    client: FlaskClient, session: Session, node: Node, headers: dict[str, str]
) -> None:
    response = _post(client, _body(node, timestamp_s=0), headers)

    assert response.status_code == 400
    error = _doc(response)["errors"][0]
    assert error["source"] == {"pointer": "/data/attributes/timestamp_s"}
    assert error["code"] == "past"
    assert "clock looks unset" in error["detail"]
    assert session.scalars(select(Sample)).all() == []


def test_ingest_several_bad_values_are_all_reported(
    client: FlaskClient, node: Node, headers: dict[str, str]
) -> None:
    body = _body(node, co2_ppm=-1, rel_humidity_percent="wet")

    response = _post(client, body, headers)

    assert response.status_code == 400
    assert set(_pointers(response)) == {
        "/data/attributes/co2_ppm",
        "/data/attributes/rel_humidity_percent",
    }


def test_ingest_unknown_node_is_400_at_the_node_relationship(
    client: FlaskClient, session: Session, headers: dict[str, str]
) -> None:
    response = _post(client, _body("3b95a1b2-74e7-9e98-52c4-4acae441f0ae"), headers)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["code"] == "does_not_exist"
    assert _pointers(response) == ["/data/relationships/node"]


def test_ingest_malformed_node_id_is_400_at_the_node_relationship(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = _post(client, _body("not-a-uuid"), headers)

    assert response.status_code == 400
    assert _pointers(response) == ["/data/relationships/node"]


def test_ingest_without_node_relationship_is_400(
    client: FlaskClient, node: Node, headers: dict[str, str]
) -> None:
    body = _body(node)
    del body["data"]["relationships"]

    response = _post(client, body, headers)

    assert response.status_code == 400
    assert _pointers(response) == ["/data/relationships/node"]


def test_ingest_wrong_resource_type_is_409(
    client: FlaskClient, node: Node, headers: dict[str, str]
) -> None:
    body = _body(node)
    body["data"]["type"] = "Reading"

    response = _post(client, body, headers)

    assert response.status_code == 409
    assert _pointers(response) == ["/data/type"]


@pytest.mark.parametrize("body", [b"{nope", b'{"data": ' + b"9" * 5000 + b"}", b""])
def test_ingest_body_that_is_not_json_is_400_saying_so(
    client: FlaskClient, headers: dict[str, str], body: bytes
) -> None:
    response = client.post(URL, data=body, headers=headers)

    assert response.status_code == 400
    assert _pointers(response) == [""]
    assert _doc(response)["errors"][0]["detail"].startswith(
        "The body is not valid JSON: "
    )


@pytest.mark.parametrize("chunked", [False, True])
def test_ingest_body_over_the_request_limit_is_413_naming_it(
    client: FlaskClient, headers: dict[str, str], chunked: bool
) -> None:
    limit = client.application.config["MAX_REQUEST_BYTES"]
    body = b'{"data": "' + b"x" * limit + b'"}'
    sent: dict[str, Any] = {"data": body}
    if chunked:  # no Content-Length: the stream itself is limited
        sent = {
            "input_stream": io.BytesIO(body),
            "environ_overrides": {"wsgi.input_terminated": True},
        }

    response = client.post(URL, headers=headers, **sent)

    assert response.status_code == 413
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"header": "Content-Length"}
    assert f"larger than {limit} bytes as sent (MAX_REQUEST_BYTES)" in error["detail"]


def test_ingest_csv_body_is_415_naming_content_type(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.post(
        URL, data="a,b\n", headers={**headers, "Content-Type": "text/csv"}
    )

    assert response.status_code == 415
    assert _doc(response)["errors"][0]["source"] == {"header": "Content-Type"}


def test_ingest_get_is_not_offered(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = assert_refused(
        client, "GET", URL, 405, headers=headers, unchanged=("samples",)
    )

    assert "GET" not in response.headers["Allow"]


def test_ingest_without_trailing_slash_works_like_clair_ttn_expects(
    client: FlaskClient, node: Node, headers: dict[str, str]
) -> None:
    response = client.post(URL.rstrip("/"), json=_body(node), headers=headers)

    assert response.status_code == 201


def test_openapi_documents_every_ingest_path(client: FlaskClient) -> None:
    paths = _doc(client.get("/api/v1/schema/openapi.json"))["paths"]

    assert {p for p in paths if p.startswith("/ingest/")} == {
        "/ingest/v1/ingest/",
        "/ingest/v1/samples/",
        "/ingest/v1/ttn/",
        "/ingest/v1/chirpstack/",
    }
