"""The ``filter[...]`` query parameters, read one way by every list and detail.

Views take their filters through a ``blp.arguments(<Schema>, location="query")``
schema built from these fields, so webargs parses them, a malformed value is a
400 whose ``source.parameter`` names ``filter[<name>]`` (see
:mod:`app.jsonapi.errors`), and flask-smorest lists each one in the OpenAPI
document with the bounds the parser applies. The other query parameters
(``page``, ``sort``, ``include``, ``fields``) stay with
:func:`app.jsonapi.parse_query_params`, which is why the schemas let unknown
names through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import marshmallow as ma

from app.blueprints.docs import PAGE_MAX
from app.services.series.epoch import MAX_MANAGAIR_EPOCH_S
from app.services.series.window import Bounds

#: The largest id a filter takes (18 digits, as ``page[...]`` values): larger
#: numbers are refused with 400 rather than reaching the database.
MAX_FILTER_ID = PAGE_MAX
FALSE_FLAGS = frozenset({"", "0", "false", "no"})
_DIGITS = re.compile(r"[0-9]{1,18}")


def _key(name: str) -> str:
    return f"filter[{name}]"


#: The answer to ``filter[from]`` after ``filter[to]``, on every endpoint taking both.
REVERSED_BOUNDS = (
    "filter[from] is after filter[to]: give a filter[from] at or before filter[to], "
    "or leave one of them out."
)


def check_bounds_order(start: Any, end: Any) -> None:
    """The one order check of a ``filter[from]``/``filter[to]`` pair (epoch seconds or
    times): both given and ``start`` after ``end`` is a 400 at ``filter[from]``.

    A lone ``filter[from]`` later than now is not refused: the window up to now is
    empty and the answer says so (an empty list of samples), as a window without
    samples anywhere else does; samples may also lie ahead of the server clock.

    Raises:
        marshmallow.ValidationError: the bounds are reversed.
    """
    if start is not None and end is not None and start > end:
        raise ma.ValidationError(REVERSED_BOUNDS, field_name=_key("from"))


class FilterSchema(ma.Schema):
    """Filters of one view; every other query parameter is someone else's to check."""

    class Meta:
        unknown = ma.EXCLUDE


class IdFilter(ma.fields.Integer):
    """``filter[name]``: an integer id from 1 to :data:`MAX_FILTER_ID`."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(
            data_key=_key(name),
            metadata={
                "description": description,
                "minimum": 1,
                "maximum": MAX_FILTER_ID,
            },
        )

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        text = str(value).strip()
        if _DIGITS.fullmatch(text) and int(text) >= 1:
            return int(text)
        raise ma.ValidationError(
            f'Invalid {self.data_key} "{value}": expected an integer id.'
        )


class UuidFilter(ma.fields.UUID):
    """``filter[name]``: a UUID."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(data_key=_key(name), metadata={"description": description})

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> UUID:
        try:
            return UUID(str(value).strip())
        except ValueError:
            raise ma.ValidationError(
                f'Invalid {self.data_key} "{value}": expected a UUID.'
            ) from None


class EpochFilter(ma.fields.Field[int | None]):
    """``filter[name]``: epoch seconds (0 to 2147483647); empty means absent."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(
            data_key=_key(name),
            metadata={
                "description": description,
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_MANAGAIR_EPOCH_S,
            },
        )

    def _deserialize(
        self, value: Any, attr: Any, data: Any, **kwargs: Any
    ) -> int | None:
        text = str(value).strip()
        if text == "":
            return None
        if _DIGITS.fullmatch(text) and int(text) <= MAX_MANAGAIR_EPOCH_S:
            return int(text)
        raise ma.ValidationError(
            f'Invalid {self.data_key} "{value}": expected epoch seconds between 0 '
            f"and {MAX_MANAGAIR_EPOCH_S}."
        )


class TextFilter(ma.fields.String):
    """``filter[name]``: a text taken as sent."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(data_key=_key(name), metadata={"description": description})


class TermsFilter(ma.fields.Field[tuple[str, ...]]):
    """``filter[name]``: terms separated by white space or commas, all to match."""

    def __init__(self, name: str = "search") -> None:
        super().__init__(
            data_key=_key(name),
            metadata={
                "description": "Terms (separated by spaces or commas) that must all occur",
                "type": "string",
            },
        )

    def _deserialize(
        self, value: Any, attr: Any, data: Any, **kwargs: Any
    ) -> tuple[str, ...]:
        return tuple(term for term in re.split(r"[\s,]+", str(value)) if term)


class Flag(ma.fields.Field[bool]):
    """A plain query flag: present and not empty, ``0``, ``false`` or ``no``."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(
            data_key=name, metadata={"description": description, "type": "string"}
        )

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        return str(value).strip().lower() not in FALSE_FLAGS


class SearchArgsSchema(FilterSchema):
    """``filter[search]`` alone (an organization's sites and nodes)."""

    search = TermsFilter()


class OwnedSearchArgsSchema(SearchArgsSchema):
    """``filter[organization]`` and ``filter[search]`` (the site and node lists)."""

    organization_id = IdFilter("organization", "Only those of this organization (id)")


@dataclass(frozen=True)
class DetailQuery:
    """What a node or installation detail was asked for: the samples' bounds and
    whether the samples come too (``include_timeseries``)."""

    bounds: Bounds
    with_samples: bool = False


class TimeSliceArgsSchema(FilterSchema):
    """``filter[from]``/``filter[to]`` and ``include_timeseries`` of a detail view."""

    from_s = EpochFilter("from", "Samples from this time (epoch seconds)")
    to_s = EpochFilter("to", "Samples up to this time (epoch seconds)")
    with_samples = Flag(
        "include_timeseries",
        "Add the samples (`true`, `1`); empty, `0`, `false` or `no` leave them out",
    )

    @ma.validates_schema
    def _check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_bounds_order(data.get("from_s"), data.get("to_s"))

    @ma.post_load
    def _detail_query(self, data: dict[str, Any], **kwargs: Any) -> DetailQuery:
        """Hand the view the bounds and the flag (absent members: unbounded, no)."""
        bounds = Bounds(data.get("from_s"), data.get("to_s"))
        return DetailQuery(bounds, data.get("with_samples", False))
