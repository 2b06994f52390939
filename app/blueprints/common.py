"""Reading requests in views: query filters and flags, the body, relationships."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import request

from sqlalchemy.orm import Session

from app.errors import ConflictError, ValidationError
from app.jsonapi import (
    ParameterError,
    QueryParams,
    ResourceInput,
    json_pointer,
    parse_id,
    parse_resource,
    relationship_id,
)
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor
from app.services.series.epoch import MAX_MANAGAIR_EPOCH_S, to_epoch

FALSE_FLAGS = frozenset({"", "0", "false", "no"})
_INT = re.compile(r"[0-9]{1,18}")


def int_filter(params: QueryParams, name: str) -> int | None:
    """Return ``filter[name]`` as an id, None when absent.

    Raises:
        ParameterError: the value is not a non-negative integer.
    """
    raw = params.filters.get(name)
    if raw is None:
        return None
    if _INT.fullmatch(raw.strip()):
        return int(raw)
    raise ParameterError(
        f'Invalid filter[{name}] "{raw}": expected an integer id.',
        parameter=f"filter[{name}]",
    )


def uuid_filter(params: QueryParams, name: str) -> UUID | None:
    """Return ``filter[name]`` as a UUID, None when absent.

    Raises:
        ParameterError: the value is not a UUID.
    """
    raw = params.filters.get(name)
    if raw is None:
        return None
    try:
        return UUID(raw.strip())
    except ValueError:
        raise ParameterError(
            f'Invalid filter[{name}] "{raw}": expected a UUID.',
            parameter=f"filter[{name}]",
        ) from None


def epoch_filter(params: QueryParams, name: str) -> int | None:
    """Return ``filter[name]`` as epoch seconds (0 to 2147483647), None when absent.

    Raises:
        ParameterError: the value is not an integer in range.
    """
    raw = params.filters.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if _INT.fullmatch(value) and int(value) <= MAX_MANAGAIR_EPOCH_S:
        return int(value)
    raise ParameterError(
        f'Invalid filter[{name}] "{raw}": expected epoch seconds between 0 and '
        f"{MAX_MANAGAIR_EPOCH_S}.",
        parameter=f"filter[{name}]",
    )


def search_terms(params: QueryParams) -> tuple[str, ...]:
    """Split ``filter[search]`` on white space and commas; every term must match."""
    raw = params.filters.get("search", "")
    return tuple(term for term in re.split(r"[\s,]+", raw) if term)


def include_timeseries() -> bool:
    """Whether ``include_timeseries`` asks for samples (not empty, 0, false, no)."""
    raw = request.args.get("include_timeseries")
    return raw is not None and raw.strip().lower() not in FALSE_FLAGS


def body() -> Any:
    """Return the decoded JSON request body, or None."""
    return request.get_json(silent=True)


def relationship_ids(
    res: ResourceInput, name: str, expected_type: str
) -> list[int] | None:
    """Read a to-many relationship's integer ids; None when not sent.

    Raises:
        ValidationError: a to-one or null linkage, or a malformed id (400).
        ConflictError: an identifier of another type (409).
    """
    pointer = json_pointer("data", "relationships", name)
    if name not in res.relationships:
        return None
    linkage = res.relationships[name]
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


def now_s() -> int:
    """Return the request time in epoch seconds (``query_timestamp_s``)."""
    return to_epoch(utcnow())


def create_input(
    session: Session,
    actor: Actor,
    expected_type: str,
    parent: str,
    parent_type: str,
    parent_model: type[Any],
) -> ResourceInput:
    """Read a create's body, authorizing it by the ``parent`` it names first.

    Authorization comes before validation: a caller who owns no organization
    gets 403 whatever the body; otherwise the envelope and the ``parent``
    relationship (the organization, site or room the new object goes into)
    are checked, and only then may the caller learn what else is wrong.

    Raises:
        UnauthenticatedError: anonymous caller (401).
        ForbiddenError: an OWNER of no organization, or not of the parent's (403).
        ValidationError: a malformed envelope, or a missing, malformed, unknown
            or invisible parent (400).
        ConflictError: a wrong resource or parent type (409).
    """
    access.require_owner_somewhere(actor)
    res = parse_resource(body(), expected_type)
    pointer = json_pointer("data", "relationships", parent)
    ident = relationship_id(res, parent, parent_type, int)
    access.get_owned_reference(session, actor, parent_model, ident, pointer)
    return res


def to_one_id(
    res: ResourceInput, name: str, expected_type: str, kind: type[Any], *, partial: bool
) -> Any:
    """Read a to-one relationship: required on create/PUT, optional on PATCH.

    A PATCH that leaves the relationship out keeps it (None is returned); one
    that sends ``"data": null`` is refused, as every to-one here is required.

    Raises:
        ValidationError: missing (create/PUT) or null, or a malformed id (400).
        ConflictError: an identifier of another type (409).
    """
    if partial and name not in res.relationships:
        return None
    return relationship_id(res, name, expected_type, kind)
