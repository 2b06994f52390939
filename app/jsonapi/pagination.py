"""Page-number pagination with DRF-JSON:API's links and meta.

Without ``page[size]`` a list is one page holding every row (the Clair clients
never page); ``links`` and ``meta.pagination`` are rendered all the same, as
the reference did with its unlimited page size. Links are absolute, keep every
other query parameter and are encoded like the reference's (keys sorted,
brackets percent-encoded)::

    "links": {"first": ".../sites/?page%5Bnumber%5D=1&page%5Bsize%5D=2",
              "last": "...", "next": "..." | null, "prev": "..." | null},
    "meta": {"pagination": {"page": 1, "pages": 3, "count": 5}}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import request
from werkzeug.datastructures import MultiDict

from app.errors import NotFoundError
from app.jsonapi.params import QueryParams

PAGE_PARAM = "page[number]"

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One page of a list and how to render it.

    Attributes:
        number: the 1-based page number.
        size: rows per page; None means every row on page 1.
        count: rows in the whole list.
        pages: number of pages (at least 1, even for an empty list).
        links: ``first``, ``last``, ``next``, ``prev`` (None when absent).
    """

    number: int
    size: int | None
    count: int
    pages: int
    links: dict[str, str | None]

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return 0 if self.size is None else (self.number - 1) * self.size

    @property
    def limit(self) -> int | None:
        """Rows on this page at most; None for no limit."""
        return self.size

    @property
    def meta(self) -> dict[str, Any]:
        """The top-level ``meta`` member: ``{"pagination": {page, pages, count}}``."""
        return {
            "pagination": {
                "page": self.number,
                "pages": self.pages,
                "count": self.count,
            }
        }

    def slice(self, rows: list[T]) -> list[T]:
        """Return this page's part of the whole list ``rows``."""
        end = None if self.size is None else self.offset + self.size
        return rows[self.offset : end]


def paginate(
    total: int,
    params: QueryParams,
    *,
    base_url: str | None = None,
    args: MultiDict[str, str] | None = None,
) -> Page:
    """Work out the requested page of a list of ``total`` rows.

    Args:
        total: rows in the whole list.
        params: the parsed query parameters (``page_number``, ``page_size``).
        base_url: absolute URL without query; defaults to ``request.base_url``.
        args: query parameters to keep in links; defaults to ``request.args``.

    Returns:
        The page with its offset, limit, links and meta.

    Raises:
        NotFoundError: the page number is beyond the last page ("Invalid page.").
    """
    size = params.page_size
    pages = max(1, math.ceil(total / size)) if size else 1
    number = params.page_number or 1
    if number > pages:
        raise NotFoundError("Invalid page.")
    url = request.base_url if base_url is None else base_url
    query = request.args if args is None else args

    def link(page: int | None) -> str | None:
        return None if page is None else _page_url(url, query, page)

    links = {
        "first": link(1),
        "last": link(pages),
        "next": link(number + 1 if number < pages else None),
        "prev": link(number - 1 if number > 1 else None),
    }
    return Page(number=number, size=size, count=total, pages=pages, links=links)


def _page_url(base_url: str, args: MultiDict[str, str], number: int) -> str:
    query: dict[str, list[str]] = {}
    for key, values in args.lists():
        query[key] = list(values)
    query[PAGE_PARAM] = [str(number)]
    return f"{base_url}?{urlencode(sorted(query.items()), doseq=True)}"
