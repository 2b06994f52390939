"""The document and the validation agree, value by value, where the fuzzer found drift.

Each case is checked twice: against the live OpenAPI document with the JSON
Schema validator schemathesis uses (``jsonschema_rs``), and against the server.
A value valid by the document must not be refused with 400; one invalid by it
must be. The fuzz test finds such values at random; these pin the ones found.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.api.inventory.conftest import doc, js
from tests.support.smtp import Mailbox
from tests.support.worlds import InventoryWorld, inventory_world

JsonSchema = dict[str, Any]


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document = app.test_client().get("/api/v1/schema/openapi.json").json
    assert isinstance(document, dict)
    return document


@pytest.fixture
def world(session: Session) -> InventoryWorld:
    built = inventory_world(session)
    session.commit()
    return built


def _valid(schema: JsonSchema, value: Any) -> bool:
    """Whether ``value`` is valid by ``schema`` (OpenAPI's ``nullable`` aside)."""
    return bool(jsonschema_rs.Draft4Validator(schema).is_valid(value))


def _attribute(spec: dict[str, Any], schema: str, name: str) -> JsonSchema:
    found: JsonSchema = spec["components"]["schemas"][schema]["properties"][name]
    return found


def _parameter(spec: dict[str, Any], path: str, name: str) -> JsonSchema:
    (found,) = [
        p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name
    ]
    schema: JsonSchema = found["schema"]
    return schema


def _agrees(status: int, valid: bool, body: Any) -> None:
    if valid:
        assert status < 300, body
    else:
        assert status == 400, body


LATITUDES = [
    (52.5, True),
    ("52.520008", True),
    ("-90", True),
    ("90.000000", True),
    ("007.5", True),
    (0, True),
    ("90.1", False),
    ("52.1234567", False),
    (52.1234567, False),
    (90.000001, False),
    ("1e1", False),
    (" 5", False),
    ("+5", False),
    ("5.", False),
    (91, False),
]


@pytest.mark.parametrize(("value", "valid"), LATITUDES)
def test_address_latitude_document_and_validation_agree(
    spec: dict[str, Any],
    client: FlaskClient,
    world: InventoryWorld,
    value: Any,
    valid: bool,
) -> None:
    schema = _attribute(spec, "AddressPostAttributes", "latitude")
    body = doc("Address", {"street1": "A 1", "zip": "10115", "city": "Berlin"})
    body["data"]["attributes"]["latitude"] = value

    response = client.post(
        "/api/v1/addresses/", json=body, headers=world.headers["owner"]
    )

    assert _valid(schema, value) is valid
    _agrees(response.status_code, valid, js(response))


HEIGHTS = [
    ("2.7", True),
    (99.9, True),
    ("0", True),
    ("099.9", True),
    ("-0", False),
    ("100", False),
    (99.95, False),
    (2.55, False),
    ("2.55", False),
    (-0.1, False),
]


@pytest.mark.parametrize(("value", "valid"), HEIGHTS)
def test_room_height_document_and_validation_agree(
    spec: dict[str, Any],
    client: FlaskClient,
    world: InventoryWorld,
    value: Any,
    valid: bool,
) -> None:
    schema = _attribute(spec, "RoomPostAttributes", "height_m")
    body = doc(
        "Room", {"name": "New", "height_m": value}, {"site": ("Site", world.site)}
    )

    response = client.post("/api/v1/rooms/", json=body, headers=world.headers["owner"])

    assert _valid(schema, value) is valid
    _agrees(response.status_code, valid, js(response))


QUERIES = [
    ("/api/v1/nodes/", "filter[organization]", str(10**18 - 1), True),
    ("/api/v1/nodes/", "filter[organization]", str(10**18), False),
    ("/api/v1/installations/", "filter[site]", str(10**22), False),
    ("/api/v1/sites/", "page[size]", str(10**18 - 1), True),
    ("/api/v1/sites/", "page[size]", str(10**19), False),
    ("/api/v1/sites/", "page[number]", str(10**20), False),
    ("/api/v1/memberships/", "sort", "", True),
    ("/api/v1/sites/", "include", "", True),
    ("/api/v1/sites/", "sort", "street", False),
]


@pytest.mark.parametrize(("path", "name", "raw", "valid"), QUERIES)
def test_query_parameter_document_and_validation_agree(
    spec: dict[str, Any],
    client: FlaskClient,
    world: InventoryWorld,
    path: str,
    name: str,
    raw: str,
    valid: bool,
) -> None:
    schema = _parameter(spec, path, name)
    value = int(raw) if schema["type"] == "integer" else raw

    response = client.get(
        path, query_string={name: raw}, headers=world.headers["owner"]
    )

    assert _valid(schema, value) is valid
    _agrees(response.status_code, valid, js(response))


AUTH_TYPES = {
    "LoginViewData": "LoginView",
    "RegisterViewData": "RegisterView",
    "PasswordChangeViewData": "PasswordChangeView",
    "PasswordResetViewData": "PasswordResetView",
    "PasswordResetConfirmViewData": "PasswordResetConfirmView",
    "VerifyEmailViewData": "VerifyEmailView",
    "ResendEmailVerificationViewData": "ResendEmailVerificationView",
    "AuthUserPatchData": "User",
    "UserPutData": "User",
}


def test_auth_documents_name_the_one_type_each_view_takes(
    spec: dict[str, Any],
) -> None:
    schemas = spec["components"]["schemas"]

    named = {name: schemas[name]["properties"]["type"]["enum"] for name in AUTH_TYPES}

    assert named == {name: [type_] for name, type_ in AUTH_TYPES.items()}


@pytest.mark.parametrize(
    ("type_", "id_", "valid"),
    [("", None, False), ("LoginView", [], False), ("LoginView", 7, True)],
)
def test_login_envelope_document_and_validation_agree(
    spec: dict[str, Any], client: FlaskClient, type_: str, id_: Any, valid: bool
) -> None:
    data = spec["components"]["schemas"]["LoginViewData"]["properties"]
    body = {
        "data": {
            "type": type_,
            "id": id_,
            "attributes": {"username": "nobody", "password": "wrong-password"},
        }
    }

    response = client.post("/api/v1/auth/login/", json=body)

    errors = js(response)["errors"]
    by_document = _valid(data["type"], type_) and (
        id_ is None or _valid(data["id"], id_)  # "nullable": true
    )
    assert by_document is valid
    # Valid envelopes fail only on the (unknown) credentials.
    pointers = {e["source"]["pointer"] for e in errors}
    assert response.status_code == 400
    assert (pointers == {"/data/attributes/non_field_errors"}) is valid, errors


@pytest.mark.parametrize(
    ("attributes", "valid"),
    [
        ({"username": "anna.b", "email": "anna@example.org"}, True),
        ({"username": "anna b", "email": "anna@example.org"}, False),
        ({"username": "anna", "email": "anna"}, False),
        (
            {"username": "anna", "email": "anna@example.org", "password1": "1" * 12},
            False,
        ),
        (
            {"username": "anna", "email": "anna@example.org", "password1": "Ab3$xyz"},
            False,
        ),
    ],
)
def test_registration_document_and_validation_agree(
    spec: dict[str, Any],
    client: FlaskClient,
    mailbox: Mailbox,
    attributes: dict[str, str],
    valid: bool,
) -> None:
    schema = spec["components"]["schemas"]["RegisterViewAttributes"]
    sent = {"password1": "Vogel-Flug-2024", **attributes}
    sent["password2"] = sent["password1"]

    response = client.post("/api/v1/auth/registration/", json=doc("RegisterView", sent))

    assert _valid(schema, sent) is valid
    _agrees(response.status_code, valid, js(response))
    assert len(mailbox.received) == int(valid)


def test_a_page_far_beyond_the_end_is_404_not_a_database_error(
    client: FlaskClient, world: InventoryWorld
) -> None:
    # 2000 * (10**18 - 1) rows to skip overflow PostgreSQL's bigint OFFSET.
    query = {"page[size]": "2000", "page[number]": str(10**18 - 1)}

    response = client.get(
        "/api/v1/protocols/", query_string=query, headers=world.headers["owner"]
    )

    assert response.status_code == 404, js(response)
    assert js(response)["errors"][0]["detail"] == "Invalid page."
