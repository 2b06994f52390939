"""Values inside request documents: to-many linkage.

Complements :mod:`app.jsonapi.request`, which checks the envelope, and
:mod:`app.jsonapi.attributes`, which loads the attributes::

    res = parse_resource(body(), "Organization")
    attrs = load_attributes(OrganizationAttributesSchema(), res.attributes)
    user_ids = to_many_ids(res, "users", "User")

    ids = parse_linkage_document(body(), "User")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.errors import ConflictError, ValidationError
from app.jsonapi.exceptions import json_pointer
from app.jsonapi.request import ResourceInput, parse_id


def linkage_ids(res: ResourceInput, name: str, expected_type: str) -> list[int]:
    """Read a to-many relationship's integer ids, in the order sent, repeats kept.

    Args:
        res: the parsed resource.
        name: the relationship name, e.g. ``"users"``.
        expected_type: the type of every item, e.g. ``"User"``.

    Raises:
        ValidationError: absent, not a list, or an id that is no integer (400 at
            ``/data/relationships/<name>``).
        ConflictError: an item of another type (409).
    """
    pointer = json_pointer("data", "relationships", name)
    linkage = res.relationships.get(name)
    if not isinstance(linkage, list):
        raise ValidationError(
            "Incorrect type. Expected a list of resource identifier objects.", pointer
        )
    ids = []
    for type_, raw in linkage:
        if type_ != expected_type:
            raise ConflictError(
                f"Incorrect relation type. Expected {expected_type}, received {type_}.",
                pointer,
            )
        ids.append(parse_id(raw, int, pointer))
    return ids


def to_many_ids(res: ResourceInput, name: str, expected_type: str) -> tuple[int, ...]:
    """Read a to-many relationship's integer ids in the order sent, without repeats.

    Raises:
        ValidationError, ConflictError: as :func:`linkage_ids`.
    """
    return tuple(dict.fromkeys(linkage_ids(res, name, expected_type)))


def parse_linkage_document(body: Any, expected_type: str) -> tuple[int, ...]:
    """Read the ids of a relationship request ``{"data": [{"type", "id"}, ...]}``.

    Args:
        body: the decoded JSON body.
        expected_type: the type every identifier must have.

    Returns:
        The integer ids in the order sent, without repeats.

    Raises:
        ValidationError: ``data`` is not a list, or an item is not an identifier
            with an integer id (400 at ``/data`` or ``/data/<index>``).
        ConflictError: an item has another type (409 at ``/data/<index>/type``).
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise ValidationError(
            "Expected a list of resource identifier objects in 'data'.", "/data"
        )
    ids: dict[int, None] = {}
    for index, item in enumerate(data):
        pointer = json_pointer("data", index)
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise ValidationError(
                "Invalid resource identifier object: missing 'type' attribute",
                pointer,
            )
        if item["type"] != expected_type:
            raise ConflictError(
                f"Incorrect relation type. Expected {expected_type}, "
                f"received {item['type']}.",
                json_pointer("data", index, "type"),
            )
        raw = item.get("id")
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise ValidationError(
                "Invalid resource identifier object: missing 'id' attribute",
                json_pointer("data", index, "id"),
            )
        ids[parse_id(str(raw), int, json_pointer("data", index, "id"))] = None
    return tuple(ids)
