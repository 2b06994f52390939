"""JSON:API content negotiation under ``/api/``: a 415 or a 406 only where JSON:API 1.1 asks.

A body sent as ``application/vnd.api+json`` with a media type parameter other
than ``ext`` and ``profile``, or with an extension (this server supports none),
is a 415 naming ``Content-Type``; an ``Accept`` whose every JSON:API media type
carries such a parameter is a 406 naming ``Accept``. Both say what to send. The
headers the dashboards, the widget and the tools send keep working, and the
ingest routes and the HTML pages are not negotiated.
"""

from __future__ import annotations

import json
import time

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.factories import DEFAULT_PASSWORD, make_ingest_key, make_node, make_user
from tests.support.accounts import AUTH, doc
from tests.support.refusals import assert_refused
from tests.support.servers import sample_document

JSONAPI = "application/vnd.api+json"
ATOMIC = 'ext="https://jsonapi.org/ext/atomic"'
PROFILE = 'profile="https://example.org/profiles/timestamps"'


def _error(resp: object) -> dict[str, object]:
    body = json.loads(resp.get_data())  # type: ignore[attr-defined]
    first: dict[str, object] = body["errors"][0]
    return first


@pytest.mark.parametrize(
    "headers",
    [
        {  # the dashboards: the JSON:API type on GETs too, without a body
            "Accept": f"{JSONAPI}, application/json, text/plain, */*",
            "Content-Type": JSONAPI,
        },
        {"Accept": "application/json, text/plain, */*"},  # a plain axios.get
        {"Accept": JSONAPI},  # the registration tool and the forwarder
        {"Accept": "*/*"},
        {},
        {"Accept": f"{JSONAPI}; {PROFILE}"},
        {"Accept": f"{JSONAPI}; q=0.9, application/json; q=0.5"},
        {"Accept": f"{JSONAPI}; version=1, {JSONAPI}"},  # one plain instance
        {"Accept": f"{JSONAPI}; charset=utf-8"},  # tolerated, as Managair did
        {"Accept": f"{JSONAPI}; {ATOMIC}, {JSONAPI}; {PROFILE}"},
    ],
    ids=[
        "dashboards",
        "axios-default",
        "jsonapi",
        "anything",
        "none",
        "profile",
        "weights",
        "one-plain-of-two",
        "charset",
        "one-without-ext",
    ],
)
def test_the_accept_headers_of_the_clients_are_served(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    resp = client.get("/api/v1/", headers=headers)

    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == JSONAPI


@pytest.mark.parametrize(
    "content_type",
    [
        JSONAPI,
        "application/json",
        "application/json; charset=utf-8",
        f"{JSONAPI}; charset=utf-8",  # JSON:API refuses it, Managair took it
        f"{JSONAPI}; {PROFILE}",
    ],
)
def test_a_body_in_the_media_types_clients_send_is_read(
    client: FlaskClient, session: Session, content_type: str
) -> None:
    user = make_user(session)
    session.commit()
    body = doc("LoginView", username=user.username, password=DEFAULT_PASSWORD)

    resp = client.post(
        f"{AUTH}/login/",
        data=json.dumps(body),
        headers={"Content-Type": content_type, "Accept": JSONAPI},
    )

    assert resp.status_code == 200, resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("parameters", "named"),
    [("version=1", "version"), ("charset=utf-8; foo=2", "foo"), (ATOMIC, "ext")],
)
def test_a_jsonapi_body_with_a_parameter_or_extension_is_415_naming_content_type(
    client: FlaskClient, parameters: str, named: str
) -> None:
    resp = assert_refused(
        client,
        "POST",
        f"{AUTH}/login/",
        415,
        unchanged=(),
        header="Content-Type",
        data=json.dumps(doc("LoginView", username="u", password="p")),
        headers={"Content-Type": f"{JSONAPI}; {parameters}"},
    )

    error = _error(resp)
    assert error["code"] == "unsupported_media_type"
    assert named in str(error["detail"])
    assert f"Content-Type: {JSONAPI}" in str(error["detail"])


@pytest.mark.parametrize(
    "accept",
    [
        f"{JSONAPI}; version=1",
        f"{JSONAPI}; {ATOMIC}",
        f"{JSONAPI}; version=1, {JSONAPI}; {ATOMIC}, text/html, */*",
    ],
    ids=["parameter", "extension", "every-instance-modified"],
)
def test_an_accept_with_only_modified_jsonapi_types_is_406_naming_accept(
    client: FlaskClient, accept: str
) -> None:
    resp = assert_refused(
        client,
        "GET",
        "/api/v1/",
        406,
        unchanged=(),
        header="Accept",
        headers={"Accept": accept},
    )

    error = _error(resp)
    assert error["code"] == "not_acceptable"
    assert f"Accept: {JSONAPI}" in str(error["detail"])


def test_an_unknown_url_is_404_whatever_the_accept(client: FlaskClient) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/no-such-thing/",
        404,
        unchanged=(),
        headers={"Accept": f"{JSONAPI}; version=1"},
    )


def test_ingest_is_not_negotiated(client: FlaskClient, session: Session) -> None:
    node = make_node(session)
    key = make_ingest_key(session, node.owner)
    session.commit()

    resp = client.post(
        "/ingest/v1/ingest/",
        data=json.dumps(sample_document(str(node.id), int(time.time()) - 60, 700)),
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": f"{JSONAPI}; charset=utf-8",
            "Accept": f"{JSONAPI}; version=1",
        },
    )

    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_html_pages_are_not_negotiated(client: FlaskClient) -> None:
    resp = client.get("/accounts/login/", headers={"Accept": f"{JSONAPI}; version=1"})

    assert resp.status_code == 200


def test_openapi_documents_the_406_under_api_only(client: FlaskClient) -> None:
    spec = client.get("/api/v1/schema/openapi.json").json
    assert spec is not None

    operations = [
        (path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]

    assert all(
        "406" in op["responses"] for path, op in operations if path.startswith("/api/")
    )
    assert not any(
        "406" in op["responses"]
        for path, op in operations
        if path.startswith("/ingest/")
    )
    assert any(path.startswith("/ingest/") for path, _ in operations)
