"""Response documents of list and detail views: paging, includes and fieldsets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from app.jsonapi import JsonObject, QueryParams, collection, paginate, single
from app.jsonapi.fieldsets import sparse
from app.services.listing import Listing, Window

T = TypeVar("T")


def window(params: QueryParams) -> Window:
    """Return the rows the requested page covers (all rows without ``page[size]``)."""
    return Window.page(params.page_number, params.page_size)


def paged(
    listing: Listing[T],
    params: QueryParams,
    render: Callable[[T], JsonObject],
    included: Iterable[JsonObject] = (),
) -> JsonObject:
    """Render one page of a list with pagination links and meta.

    Raises:
        NotFoundError: the page number is beyond the last page.
    """
    page = paginate(listing.total, params)
    return collection(
        [sparse(render(item), params.fields) for item in listing.items],
        [sparse(res, params.fields) for res in included],
        links=page.links,
        meta=page.meta,
    )


def unpaged(
    items: Iterable[T], params: QueryParams, render: Callable[[T], JsonObject]
) -> JsonObject:
    """Render a whole list without paging (the reference's related endpoints)."""
    return collection([sparse(render(item), params.fields) for item in items])


def one(
    res: JsonObject, params: QueryParams, included: Iterable[JsonObject] = ()
) -> JsonObject:
    """Render a single-resource document."""
    return single(
        sparse(res, params.fields), [sparse(r, params.fields) for r in included]
    )
