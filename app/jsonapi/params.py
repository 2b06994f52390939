"""Parsing of the JSON:API query parameters: filter, include, fields, sort, page.

Validation follows the reference (DRF-JSON:API's query-parameter filter):

* ``strict=True`` (the standard list and detail endpoints): a name outside
  ``sort``, ``include``, ``filter[..]``, ``fields[..]``, ``page[..]`` and the
  endpoint's ``allowed_extra`` names is a 400 ``invalid query parameter: <name>``;
  a repeated parameter is a 400 ``repeated query parameter not allowed: <name>``,
  except ``filter[..]``, which may repeat (the last value wins, as Django's
  ``QueryDict.get`` gave the reference's filters).
* ``strict=False`` (time series, air quality, related and relationship
  endpoints): unknown names are ignored and the last value of a repeated
  parameter wins.

In both modes ``sort`` and ``fields[..]`` are checked, as JSON:API asks of a
server that cannot honour them: an endpoint names the order its list has
(``order``, e.g. ``("city", "street1")``) and ``sort`` may name that order or a
leading part of it (the reference accepted and ignored any ``sort``; lists are
not re-sorted); any other ``sort`` is a 400 with ``source.parameter`` ``sort``.
Fieldsets are checked by :func:`app.jsonapi.fieldsets.check_fieldsets`.

Malformed or out-of-range ``page[number]``/``page[size]`` values (anything but
a whole number from 1 to :data:`MAX_PAGE_PARAMETER`) are a 400 with
``source.parameter`` in both modes, naming that range (the reference ignored a
bad size and gave a 404 for a bad number). ``page[size]`` is capped at
:data:`MAX_PAGE_SIZE`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from flask import request
from werkzeug.datastructures import MultiDict

from app.jsonapi.exceptions import ParameterError
from app.jsonapi.fieldsets import check_fieldsets

MAX_PAGE_SIZE = 100
#: The largest ``page[number]`` or ``page[size]`` read (18 digits; sizes cap at
#: :data:`MAX_PAGE_SIZE`); a larger one is refused.
MAX_PAGE_PARAMETER = 10**18 - 1

_NAME = re.compile(
    r"(?P<plain>sort|include)|(?P<family>filter|fields|page)(?:\[(?P<key>[\w.\-]+)\])?"
)
_POSITIVE = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class QueryParams:
    """The JSON:API query parameters of one request.

    Attributes:
        filters: ``filter[name]`` values by name.
        include: the ``include`` paths, in order, without duplicates.
        fields: ``fields[type]`` member names by type.
        sort: the ``sort`` keys as sent (``-name`` for descending).
        page_number: ``page[number]`` (1-based), None when absent.
        page_size: ``page[size]`` capped at :data:`MAX_PAGE_SIZE`, None when absent.
    """

    filters: dict[str, str] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: tuple[str, ...] = ()
    page_number: int | None = None
    page_size: int | None = None

    def check_include(self, allowed: Collection[str]) -> tuple[str, ...]:
        """Return the include paths after checking them against ``allowed``.

        Args:
            allowed: the paths this endpoint can include (may be empty).

        Returns:
            ``self.include``.

        Raises:
            ParameterError: a path is not in ``allowed`` (400, parameter ``include``).
        """
        if self.include and not allowed:
            raise ParameterError(
                "This endpoint does not support the include parameter.",
                parameter="include",
            )
        for path in self.include:
            if path not in allowed:
                raise ParameterError(
                    "This endpoint does not support the include parameter for "
                    f"path {path}.",
                    parameter="include",
                )
        return self.include


def parse_query_params(
    args: MultiDict[str, str] | None = None,
    *,
    strict: bool = True,
    allowed_extra: Collection[str] = (),
    order: Sequence[str] = (),
) -> QueryParams:
    """Parse the JSON:API query parameters of a request.

    Args:
        args: the query string; defaults to ``request.args``.
        strict: reject unknown and repeated parameters (see the module docstring).
        allowed_extra: further names a strict endpoint accepts, e.g.
            ``("include_timeseries",)``; their values are not parsed here.
        order: the sort keys of the list's fixed order (``-name`` for
            descending); empty where the endpoint does not sort.

    Returns:
        The parsed parameters.

    Raises:
        ParameterError: an unknown or repeated parameter (strict only), a
            ``sort`` other than ``order``, an unknown type or member in
            ``fields[..]``, or a malformed ``page[number]``/``page[size]``
            (400, ``source.parameter``).
    """
    source = request.args if args is None else args
    if strict:
        _validate_names(source, allowed_extra)
    filters: dict[str, str] = {}
    fields: dict[str, tuple[str, ...]] = {}
    for name, values in source.lists():
        match = _NAME.fullmatch(name)
        key = match.group("key") if match else None
        if match is None or key is None:
            continue
        if match.group("family") == "filter":
            filters[key] = values[-1]
        elif match.group("family") == "fields":
            fields[key] = _split(values[-1])
    sort = _split(_last(source, "sort"))
    _check_sort(sort, tuple(order))
    check_fieldsets(fields)
    return QueryParams(
        filters=filters,
        include=_split(_last(source, "include")),
        fields=fields,
        sort=sort,
        page_number=_positive(source, "page[number]"),
        page_size=_capped(_positive(source, "page[size]")),
    )


def _validate_names(args: MultiDict[str, str], allowed_extra: Collection[str]) -> None:
    for name, values in args.lists():
        match = _NAME.fullmatch(name)
        if match is None and name not in allowed_extra:
            raise ParameterError(f"invalid query parameter: {name}", parameter=name)
        is_filter = match is not None and match.group("family") == "filter"
        if len(values) > 1 and not is_filter:
            raise ParameterError(
                f"repeated query parameter not allowed: {name}", parameter=name
            )


def _check_sort(sort: tuple[str, ...], order: tuple[str, ...]) -> None:
    if not sort or sort == order[: len(sort)]:
        return
    if not order:
        raise ParameterError(
            "This endpoint does not support the sort parameter.", parameter="sort"
        )
    raise ParameterError(
        f'Unsupported sort "{",".join(sort)}": this list is sorted by '
        f'"{",".join(order)}" only.',
        parameter="sort",
    )


def _last(args: MultiDict[str, str], name: str) -> str:
    values = args.getlist(name)
    return values[-1] if values else ""


def _split(value: str) -> tuple[str, ...]:
    parts = (part.strip() for part in value.split(","))
    return tuple(dict.fromkeys(part for part in parts if part))


def _positive(args: MultiDict[str, str], name: str) -> int | None:
    raw = _last(args, name)
    if name not in args:
        return None
    if _POSITIVE.fullmatch(raw) and 1 <= int(raw) <= MAX_PAGE_PARAMETER:
        return int(raw)
    capped = f" (sizes above {MAX_PAGE_SIZE} give pages of {MAX_PAGE_SIZE})"
    raise ParameterError(
        f'Invalid {name} "{raw}": expected a whole number from 1 to '
        f"{MAX_PAGE_PARAMETER}{capped if name == 'page[size]' else ''}.",
        parameter=name,
    )


def _capped(size: int | None) -> int | None:
    return None if size is None else min(size, MAX_PAGE_SIZE)
