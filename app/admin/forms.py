"""From admin form data to the API's validated attributes.

The admin validates values with the API's own attribute schemas
(``app/blueprints/*/schemas.py``), so limits such as a room's size or an
address's latitude are the same in both places.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import marshmallow as ma

from app.jsonapi.attributes import load_attributes
from app.services.series.epoch import OPEN_END_S, to_epoch


def plain(value: Any) -> Any:
    """Return a form value as the JSON a client would send (decimals as strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def attributes(
    form: Any, names: Iterable[str], schema: ma.Schema, *, required: Iterable[str] = ()
) -> dict[str, Any]:
    """Validate the fields ``names`` of ``form`` with ``schema``.

    Blank optional text becomes null; a blank required field is sent as ``""`` so
    the schema reports it as the API would.

    Raises:
        ValidationError: a value the API would refuse, pointing at its attribute.
    """
    needed = set(required)
    sent = {}
    for name in names:
        value = plain(form[name].data)
        sent[name] = "" if value is None and name in needed else value
    return load_attributes(schema, sent, partial=False)


def related_id(form: Any, name: str) -> Any:
    """Return the id of the row chosen in a relationship field (None if empty)."""
    row = form[name].data
    return None if row is None else row.id


def utc_naive(moment: datetime | None) -> datetime | None:
    """Return a stored time as the naive UTC value the form fields show."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def epoch_of(moment: datetime | None, *, open_end: bool = False) -> int | None:
    """Return a form's naive UTC time as epoch seconds (an empty end is open)."""
    if moment is None:
        return OPEN_END_S if open_end else None
    return to_epoch(moment.replace(tzinfo=UTC))
