"""Document builders: resource objects, relationships, compound documents."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from flask import Flask

from app.jsonapi import (
    absolute_url,
    collection,
    dedupe,
    resource,
    single,
    to_many,
    to_one,
)

NODE = UUID("9d02faee-4260-4ef6-a3b1-6b5e3e0ad5ab")


@pytest.fixture(autouse=True)
def request_context(app: Flask) -> Iterator[None]:
    """Every builder runs inside a request to http://api.example.org/."""
    with app.test_request_context("/", base_url="http://api.example.org"):
        yield


def test_absolute_url_path_uses_request_host() -> None:
    assert absolute_url("/api/v1/rooms/1/") == "http://api.example.org/api/v1/rooms/1/"


def test_absolute_url_full_url_unchanged() -> None:
    assert absolute_url("https://x.org/a?next=/b") == "https://x.org/a?next=/b"


def test_resource_ids_are_strings_and_links_absolute() -> None:
    obj = resource("Node", NODE, {"alias": "n"}, self_link="/api/v1/nodes/x/")

    assert obj == {
        "type": "Node",
        "id": str(NODE),
        "attributes": {"alias": "n"},
        "links": {"self": "http://api.example.org/api/v1/nodes/x/"},
    }


def test_resource_without_relationships_omits_member() -> None:
    obj = resource("Quantity", 1, {}, relationships={})

    assert obj == {"type": "Quantity", "id": "1", "attributes": {}}


def test_to_one_with_id_renders_data_then_related_link() -> None:
    rel = to_one("Room", 3, related="/api/v1/installations/1/room/")

    assert rel == {
        "data": {"type": "Room", "id": "3"},
        "links": {"related": "http://api.example.org/api/v1/installations/1/room/"},
    }


def test_to_one_without_id_renders_null_data() -> None:
    assert to_one("Room", None) == {"data": None}


def test_to_many_resource_relation_has_data_and_count() -> None:
    rel = to_many([("User", 1), ("User", 2)], with_count=True)

    assert rel == {
        "data": [{"type": "User", "id": "1"}, {"type": "User", "id": "2"}],
        "meta": {"count": 2},
    }


def test_to_many_hyperlinked_relation_has_links_only() -> None:
    rel = to_many(
        None,
        related="/api/v1/users/1/organizations/",
        self_link="/api/v1/users/1/relationships/organizations/",
    )

    assert rel == {
        "links": {
            "self": "http://api.example.org/api/v1/users/1/relationships/organizations/",
            "related": "http://api.example.org/api/v1/users/1/organizations/",
        }
    }


def test_to_many_without_items_or_links_raises() -> None:
    with pytest.raises(ValueError, match="needs a link"):
        to_many(None)


def test_dedupe_keeps_first_of_each_type_and_id() -> None:
    first, again, other = (
        resource("Address", 1, {"zip": "1"}),
        resource("Address", 1, {"zip": "2"}),
        resource("Site", 1, {}),
    )

    assert dedupe([first, again, other]) == [first, other]


def test_single_included_drops_duplicates_and_primary() -> None:
    site = resource("Site", 1, {})
    address = resource("Address", 4, {})

    doc = single(site, included=[address, address, site])

    assert doc == {"data": site, "included": [address]}


def test_single_without_included_omits_member() -> None:
    assert single(None) == {"data": None}


def test_collection_members_in_reference_order() -> None:
    rooms = [resource("Room", 1, {}), resource("Room", 2, {})]
    site = resource("Site", 1, {})

    doc = collection(rooms, included=[site], links={"first": "f"}, meta={"m": 1})

    assert list(doc) == ["links", "data", "included", "meta"]


def test_collection_without_links_and_meta_has_data_only() -> None:
    assert collection([]) == {"data": []}
