"""Pages of ordered lists: what a list service returns, independent of HTTP paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

#: PostgreSQL's largest OFFSET (bigint). A page far beyond the end (a page number
#: of 18 digits times a page size) would overflow it and fail in the database;
#: at this offset it is simply empty, and paging answers "Invalid page." (404).
MAX_OFFSET = 2**63 - 1


@dataclass(frozen=True)
class Page:
    """The part of a list to fetch: ``limit`` rows from ``offset`` (None: all)."""

    offset: int = 0
    limit: int | None = None

    @classmethod
    def numbered(cls, number: int | None, size: int | None) -> Page:
        """Return 1-based page ``number`` of ``size`` rows."""
        if size is None:
            return cls()
        return cls(offset=min(((number or 1) - 1) * size, MAX_OFFSET), limit=size)


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The rows of one page and the number of rows in the whole list."""

    items: tuple[T, ...]
    total: int


def fetch_entities(session: Session, stmt: Select[T], page: Page) -> Listing[T]:
    """Run an ordered single-entity SELECT for ``page`` (see :func:`fetch_rows`)."""
    rows, total = fetch_rows(session, stmt, page)
    return Listing(tuple(row[0] for row in rows), total)


def fetch_rows(
    session: Session, stmt: Select[*tuple[Any, ...]], page: Page
) -> tuple[list[Any], int]:
    """Run an ordered SELECT for ``page`` and count the whole list.

    The count costs a query only when the page is limited; otherwise it is
    the number of rows fetched.

    Args:
        session: the session to query with.
        stmt: the ordered list query.
        page: the rows wanted.

    Returns:
        The result rows of the page and the total number of rows.
    """
    if page.limit is None:
        rows = list(session.execute(stmt.offset(page.offset or None)).all())
        return rows, page.offset + len(rows)
    total = session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = list(session.execute(stmt.offset(page.offset).limit(page.limit)).all())
    return rows, int(total or 0)
