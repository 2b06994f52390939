"""Request documents: envelope checks, 409s, relationship ids."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

import pytest

from app.errors import ConflictError, DomainError, ValidationError
from app.jsonapi import ResourceInput, parse_id, parse_resource, relationship_id

E = TypeVar("E", bound=DomainError)

NODE = "9d02faee-4260-4ef6-a3b1-6b5e3e0ad5ab"


def doc(**data: Any) -> dict[str, Any]:
    """Return a request document whose primary data has the members ``data``."""
    return {"data": {"type": "Site", **data}}


def raised(error: pytest.ExceptionInfo[E]) -> tuple[int, str | None]:
    """Return the status and pointer of a raised domain error."""
    return error.value.status, error.value.pointer


def test_parse_resource_valid_document_returns_members() -> None:
    body = doc(
        attributes={"name": "Bar"},
        relationships={
            "operator": {"data": {"type": "Organization", "id": 2}},
            "address": {"data": None},
            "rooms": {"data": [{"type": "Room", "id": "5"}]},
        },
    )

    parsed = parse_resource(body, "Site")

    assert parsed == ResourceInput(
        type="Site",
        id=None,
        attributes={"name": "Bar"},
        relationships={
            "operator": ("Organization", "2"),
            "address": None,
            "rooms": [("Room", "5")],
        },
    )


@pytest.mark.parametrize("body", [None, [], {}, {"data": []}, {"data": "x"}])
def test_parse_resource_without_data_object_is_400_at_data(body: Any) -> None:
    with pytest.raises(ValidationError) as error:
        parse_resource(body, "Site")

    assert raised(error) == (400, "/data")


def test_parse_resource_without_type_is_400_at_type() -> None:
    with pytest.raises(ValidationError) as error:
        parse_resource({"data": {"attributes": {}}}, "Site")

    assert raised(error) == (400, "/data/type")


def test_parse_resource_wrong_type_is_409_with_reference_message() -> None:
    with pytest.raises(ConflictError) as error:
        parse_resource({"data": {"type": "Room"}}, "Site")

    assert raised(error) == (409, "/data/type")
    assert error.value.detail == (
        "The resource object's type (Room) is not the type that constitute the "
        "collection represented by the endpoint (Site)."
    )


def test_parse_resource_patch_without_id_is_400_at_id() -> None:
    with pytest.raises(ValidationError) as error:
        parse_resource(doc(), "Site", url_id=3, require_id=True)

    assert raised(error) == (400, "/data/id")


def test_parse_resource_id_not_matching_url_is_409() -> None:
    with pytest.raises(ConflictError) as error:
        parse_resource(doc(id="2"), "Site", url_id=3, require_id=True)

    assert raised(error) == (409, "/data/id")
    assert error.value.detail == (
        "The resource object's id (2) does not match url's lookup id (3)."
    )


def test_parse_resource_integer_id_matching_url_passes_as_string() -> None:
    parsed = parse_resource(doc(id=3), "Site", url_id="3", require_id=True)

    assert parsed.id == "3"


def test_parse_resource_client_chosen_id_on_post_kept() -> None:
    parsed = parse_resource({"data": {"type": "Node", "id": NODE}}, "Node")

    assert parsed.id == NODE


@pytest.mark.parametrize("value", [True, 1.5, {"x": 1}])
def test_parse_resource_id_of_wrong_json_type_is_400(value: Any) -> None:
    with pytest.raises(ValidationError) as error:
        parse_resource(doc(id=value), "Site")

    assert raised(error) == (400, "/data/id")


def test_parse_resource_attributes_not_object_is_400() -> None:
    with pytest.raises(ValidationError) as error:
        parse_resource(doc(attributes=["name"]), "Site")

    assert raised(error) == (400, "/data/attributes")


@pytest.mark.parametrize(
    "relationship",
    [
        {"type": "Organization", "id": "1"},
        {"data": "1"},
        {"data": {"id": "1"}},
        {"data": {"type": "Organization"}},
        {"data": [{"type": "Organization", "id": ""}]},
    ],
)
def test_parse_resource_malformed_relationship_is_400_at_relationship(
    relationship: Any,
) -> None:
    with pytest.raises(ValidationError) as error:
        parse_resource(doc(relationships={"operator": relationship}), "Site")

    assert raised(error) == (400, "/data/relationships/operator")


def resource_with(**relationships: Any) -> ResourceInput:
    """Return a parsed Site with the given relationship linkages."""
    return ResourceInput("Site", None, {}, relationships)


def test_relationship_id_integer_returned() -> None:
    res = resource_with(operator=("Organization", "2"))

    assert relationship_id(res, "operator", "Organization", int) == 2


def test_relationship_id_uuid_returned() -> None:
    res = resource_with(node=("Node", NODE))

    assert relationship_id(res, "node", "Node", UUID) == UUID(NODE)


@pytest.mark.parametrize("raw", ["abc", "-1", "1.0", " 1", "9" * 20])
def test_relationship_id_bad_integer_is_400_at_relationship(raw: str) -> None:
    res = resource_with(operator=("Organization", raw))

    with pytest.raises(ValidationError) as error:
        relationship_id(res, "operator", "Organization", int)

    assert raised(error) == (400, "/data/relationships/operator")


def test_relationship_id_bad_uuid_is_400() -> None:
    res = resource_with(node=("Node", "not-a-uuid"))

    with pytest.raises(ValidationError) as error:
        relationship_id(res, "node", "Node", UUID)

    assert raised(error) == (400, "/data/relationships/node")


def test_relationship_id_wrong_type_is_409() -> None:
    res = resource_with(operator=("User", "2"))

    with pytest.raises(ConflictError) as error:
        relationship_id(res, "operator", "Organization", int)

    assert error.value.detail == (
        "Incorrect relation type. Expected Organization, received User."
    )


def test_relationship_id_missing_required_is_400() -> None:
    with pytest.raises(ValidationError) as error:
        relationship_id(resource_with(), "operator", "Organization", int)

    assert error.value.detail == "This field is required."


def test_relationship_id_null_required_is_400() -> None:
    res = resource_with(operator=None)

    with pytest.raises(ValidationError) as error:
        relationship_id(res, "operator", "Organization", int)

    assert error.value.detail == "This field may not be null."


def test_relationship_id_null_optional_returns_none() -> None:
    res = resource_with(address=None)

    assert relationship_id(res, "address", "Address", int, required=False) is None


def test_relationship_id_list_for_to_one_is_400() -> None:
    res = resource_with(operator=[("Organization", "2")])

    with pytest.raises(ValidationError):
        relationship_id(res, "operator", "Organization", int)


def test_parse_id_pointer_passed_through() -> None:
    with pytest.raises(ValidationError) as error:
        parse_id("x", UUID, "/data/id")

    assert raised(error) == (400, "/data/id")
