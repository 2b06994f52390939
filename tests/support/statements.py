"""The statements a test's connection runs, ORM and driver alike, with their values.

For tests of what a read costs the database: how many statements it sends, and (run
again under ``EXPLAIN``) what each one plans.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, NamedTuple

import psycopg
from sqlalchemy.orm import Session


class Run(NamedTuple):
    """A statement as the driver ran it (psycopg placeholders) and its values."""

    query: str
    params: Any


class _Recording(psycopg.Cursor[Any]):
    """A psycopg cursor that records what it runs (one test at a time)."""

    runs: ClassVar[list[Run]] = []

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        """Record the statement and its values, then run it."""
        _Recording.runs.append(Run(str(query), params))
        return super().execute(query, params, **options)

    def stream(self, query: Any, params: Any = None, **options: Any) -> Iterator[Any]:
        """Record the statement and its values, then stream its rows."""
        _Recording.runs.append(Run(str(query), params))
        return super().stream(query, params, **options)


@contextmanager
def recorded_statements(session: Session) -> Iterator[list[Run]]:
    """Record the statements run on ``session``'s connection inside the block."""
    driver: Any = session.connection().connection.driver_connection
    factory = driver.cursor_factory
    driver.cursor_factory = _Recording
    _Recording.runs = []
    try:
        yield _Recording.runs
    finally:
        driver.cursor_factory = factory
