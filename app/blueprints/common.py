"""Reading requests in views: the body, its relationships (filters: :mod:`.filters`)
and the free-text attribute the inventory's resources share (``description``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

import marshmallow as ma
from flask import current_app, request
from marshmallow.validate import Length
from werkzeug.exceptions import RequestEntityTooLarge

from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.jsonapi import (
    ResourceInput,
    json_pointer,
    parse_resource,
    relationship_id,
)
from app.jsonapi.payload import linkage_ids
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor
from app.services.series.epoch import to_epoch

#: The longest ``description`` of a site, room, node, installation or organization.
#: Managair's were unbounded ``text``; without a bound one request could store
#: megabytes that every list of the back office then carries.
DESCRIPTION_MAX = 2000


def description_field() -> ma.fields.String:
    """The ``description`` attribute: free text (or null) of at most 2,000 characters."""
    return ma.fields.String(
        allow_none=True,
        validate=Length(
            max=DESCRIPTION_MAX,
            error="Ensure this field has no more than {max} characters.",
        ),
    )


def body(*, empty: bool = True) -> Any:
    """Return the decoded JSON request body; None when there is none (``empty``).

    ``request.get_json(silent=True)`` answered an unparsable body as one without
    primary data ("does not contain primary data"), telling the client to add
    the ``data`` it had sent. The ingest routes, whose clients always send a
    body, pass ``empty=False``: an empty body is then not JSON either.

    Raises:
        ValidationError: the body is not valid JSON (400 at pointer ``""``).
        RequestEntityTooLarge: a chunked body reached ``MAX_REQUEST_BYTES``
            (werkzeug stops reading there without a word; 413).
    """
    data = request.get_data(cache=True)
    if empty and not data.strip():
        return None
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        raise RequestEntityTooLarge
    try:
        return current_app.json.loads(data)
    except ValueError as exc:
        raise ValidationError(
            gettext("The body is not valid JSON: %(reason)s.", reason=str(exc)), ""
        ) from None


def relationship_ids(
    res: ResourceInput, name: str, expected_type: str
) -> list[int] | None:
    """Read a to-many relationship's integer ids; None when not sent.

    Raises:
        ValidationError: a to-one or null linkage, or a malformed id (400).
        ConflictError: an identifier of another type (409).
    """
    if name not in res.relationships:
        return None
    return linkage_ids(res, name, expected_type)


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
