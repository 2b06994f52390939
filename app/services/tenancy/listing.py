"""Windows into ordered lists: what a list service returns, independent of HTTP paging."""

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
class Window:
    """The part of a list to fetch: ``limit`` rows from ``offset`` (None: all)."""

    offset: int = 0
    limit: int | None = None

    @classmethod
    def page(cls, number: int | None, size: int | None) -> Window:
        """Return the window of 1-based page ``number`` of ``size`` rows."""
        if size is None:
            return cls()
        return cls(offset=min(((number or 1) - 1) * size, MAX_OFFSET), limit=size)


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The rows of one window and the number of rows in the whole list."""

    items: tuple[T, ...]
    total: int


def fetch_entities(session: Session, stmt: Select[T], window: Window) -> Listing[T]:
    """Run an ordered single-entity SELECT for ``window`` (see :func:`fetch_rows`)."""
    rows, total = fetch_rows(session, stmt, window)
    return Listing(tuple(row[0] for row in rows), total)


def fetch_rows(
    session: Session, stmt: Select[*tuple[Any, ...]], window: Window
) -> tuple[list[Any], int]:
    """Run an ordered SELECT for ``window`` and count the whole list.

    The count costs a query only when the window is limited; otherwise it is
    the number of rows fetched.

    Args:
        session: the session to query with.
        stmt: the ordered list query.
        window: the rows wanted.

    Returns:
        The result rows of the window and the total number of rows.
    """
    if window.limit is None:
        rows = list(session.execute(stmt.offset(window.offset or None)).all())
        return rows, window.offset + len(rows)
    total = session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = list(session.execute(stmt.offset(window.offset).limit(window.limit)).all())
    return rows, int(total or 0)
