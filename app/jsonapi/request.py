"""Parsing of JSON:API request documents ``{"data": {...}}`` into plain values.

The messages follow the reference (DRF-JSON:API) where it has one, so clients
and acceptance tests see the same texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload
from uuid import UUID

from app.errors import ConflictError, ValidationError
from app.jsonapi.exceptions import json_pointer

Identifier = tuple[str, str]
#: The kinds of id a request names: integers and UUIDs.
IdKind = TypeVar("IdKind", int, UUID)
Linkage = Identifier | list[Identifier] | None

_INT_ID = re.compile(r"[0-9]{1,19}")
_MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class ResourceInput:
    """The members of a request's primary resource object.

    Attributes:
        type: the resource type as sent.
        id: the id as a string, or None when the client sent none.
        attributes: the ``attributes`` member (empty when absent).
        relationships: each relationship's linkage: ``(type, id)``, a list of
            those, or None for ``"data": null``.
    """

    type: str
    id: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    relationships: dict[str, Linkage] = field(default_factory=dict)


def parse_resource(
    body: Any,
    expected_type: str,
    url_id: str | int | UUID | None = None,
    require_id: bool = False,
) -> ResourceInput:
    """Validate the envelope of a POST/PATCH/PUT body and return its members.

    Args:
        body: the decoded JSON body (``app.blueprints.common.body()``).
        expected_type: the type the endpoint serves, e.g. ``"Site"``.
        url_id: the id in the URL (PATCH/PUT); the body's id must equal it.
        require_id: the body must carry ``data.id`` (PATCH/PUT).

    Returns:
        The parsed resource; attribute values are not validated here.

    Raises:
        ValidationError: no ``data`` object (``/data``), a missing or malformed
            ``type``, ``id``, ``attributes`` or ``relationships`` member, or a
            malformed relationship (``/data/relationships/<name>``).
        ConflictError: ``type`` differs from ``expected_type`` (``/data/type``)
            or ``id`` differs from ``url_id`` (``/data/id``).
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping):
        raise ValidationError(
            "Received document does not contain primary data.", pointer="/data"
        )
    type_ = _parse_type(data.get("type"), expected_type)
    id_ = _parse_id_member(data.get("id"), url_id, require_id)
    attributes = _member_object(data, "attributes")
    relationships = {
        name: _parse_linkage(name, value)
        for name, value in _member_object(data, "relationships").items()
    }
    return ResourceInput(type_, id_, attributes, relationships)


@overload
def parse_id(raw: str, kind: type[int], pointer: str) -> int: ...
@overload
def parse_id(raw: str, kind: type[UUID], pointer: str) -> UUID: ...
def parse_id(raw: str, kind: type[int] | type[UUID], pointer: str) -> int | UUID:
    """Convert a string id to an integer (bigint range) or a UUID.

    Args:
        raw: the id as sent.
        kind: ``int`` or ``UUID``.
        pointer: where the id sits in the request document.

    Returns:
        The converted id.

    Raises:
        ValidationError: the id is not of that kind (400 at ``pointer``).
    """
    if kind is int:
        if _INT_ID.fullmatch(raw) and int(raw) <= _MAX_BIGINT:
            return int(raw)
        raise ValidationError(
            f'Invalid id "{_shown(raw)}": expected an integer.', pointer
        )
    try:
        return UUID(raw)
    except ValueError:
        raise ValidationError(
            f'Invalid id "{_shown(raw)}": expected a UUID.', pointer
        ) from None


@overload
def relationship_id(
    res: ResourceInput,
    name: str,
    expected_type: str,
    kind: type[IdKind],
    *,
    required: Literal[True] = ...,
) -> IdKind: ...
@overload
def relationship_id(
    res: ResourceInput,
    name: str,
    expected_type: str,
    kind: type[IdKind],
    *,
    required: bool,
) -> IdKind | None: ...
def relationship_id(
    res: ResourceInput,
    name: str,
    expected_type: str,
    kind: type[IdKind],
    *,
    required: bool = True,
) -> IdKind | None:
    """Read a to-one relationship's id as an integer or a UUID.

    Args:
        res: the parsed resource.
        name: the relationship name, e.g. ``"site"``.
        expected_type: the type its ``data.type`` must have, e.g. ``"Site"``.
        kind: ``int`` or ``UUID``.
        required: absent or ``null`` linkage is an error (else None is returned).

    Returns:
        The id, or None (only when not ``required``).

    Raises:
        ValidationError: missing or null while required, a to-many linkage, or
            an id of the wrong kind (400 at ``/data/relationships/<name>``).
        ConflictError: the linkage's type is not ``expected_type`` (409).
    """
    pointer = json_pointer("data", "relationships", name)
    linkage = res.relationships.get(name)
    if linkage is None:
        if not required:
            return None
        missing = name not in res.relationships
        text = "This field is required." if missing else "This field may not be null."
        raise ValidationError(text, pointer)
    if isinstance(linkage, list):
        raise ValidationError(
            "Incorrect type. Expected resource identifier object, received list.",
            pointer,
        )
    type_, raw = linkage
    if type_ != expected_type:
        raise ConflictError(
            f"Incorrect relation type. Expected {expected_type}, received {type_}.",
            pointer,
        )
    return parse_id(raw, kind, pointer)


def _parse_type(value: Any, expected_type: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(
            "The resource object must contain a 'type' member.", "/data/type"
        )
    if value != expected_type:
        raise ConflictError(
            f"The resource object's type ({value}) is not the type that constitute "
            f"the collection represented by the endpoint ({expected_type}).",
            "/data/type",
        )
    return value


def _parse_id_member(
    value: Any, url_id: str | int | UUID | None, require_id: bool
) -> str | None:
    if value is None or value == "":
        if require_id:
            raise ValidationError(
                "The resource identifier object must contain an 'id' member.",
                "/data/id",
            )
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError("The resource object's id must be a string.", "/data/id")
    id_ = str(value)
    if url_id is not None and id_ != str(url_id):
        raise ConflictError(
            f"The resource object's id ({id_}) does not match url's lookup id "
            f"({url_id}).",
            "/data/id",
        )
    return id_


def _member_object(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"The '{name}' member must be an object.", json_pointer("data", name)
        )
    return dict(value)


def _parse_linkage(name: str, value: Any) -> Linkage:
    pointer = json_pointer("data", "relationships", name)
    if not isinstance(value, Mapping) or "data" not in value:
        raise ValidationError(
            "Received data is not a valid JSONAPI Resource Identifier Object.",
            pointer,
        )
    data = value["data"]
    if data is None:
        return None
    if isinstance(data, list):
        return [_parse_identifier(item, pointer) for item in data]
    return _parse_identifier(data, pointer)


def _parse_identifier(value: Any, pointer: str) -> Identifier:
    if not isinstance(value, Mapping):
        raise ValidationError(
            "Incorrect type. Expected resource identifier object, "
            f"received {type(value).__name__}.",
            pointer,
        )
    type_, id_ = value.get("type"), value.get("id")
    if not isinstance(type_, str) or not type_:
        raise ValidationError(
            "Invalid resource identifier object: missing 'type' attribute", pointer
        )
    if isinstance(id_, bool) or not isinstance(id_, str | int) or id_ == "":
        raise ValidationError(
            "Invalid resource identifier object: missing 'id' attribute", pointer
        )
    return type_, str(id_)


def _shown(raw: str, limit: int = 40) -> str:
    return raw if len(raw) <= limit else raw[:limit] + "…"
