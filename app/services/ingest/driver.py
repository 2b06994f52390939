"""The psycopg connection under a session, for ingest's hot statements.

Single-sample ingest runs a couple of tiny statements per request; through
SQLAlchemy's execution machinery they cost several times their database time.
These helpers run them on the session's own psycopg connection (same
transaction) and turn psycopg errors into SQLAlchemy's, so the application's
error handlers treat them as any other database error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.rows import namedtuple_row
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session


def use_autocommit(session: Session) -> bool:
    """Let each statement of this session commit on its own, if the session may.

    For requests whose only write is one statement (single-sample ingest without
    the outbox): ``BEGIN`` and ``COMMIT`` would be two more round trips to the
    database per sample, and under load every round trip waits for a CPU. A session
    bound to a connection with a transaction of its own (a caller's, or a test's)
    keeps that transaction. Call this before anything uses the session.

    Returns:
        Whether statements now commit on their own.
    """
    if isinstance(session.get_bind(), sa.Connection):
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def connection(session: Session) -> psycopg.Connection[Any]:
    """Return the psycopg connection of the session's current transaction."""
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("ingest needs the psycopg (3) driver")
    return driver


@contextmanager
def translated(sql: str, params: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Re-raise psycopg errors as the matching SQLAlchemy ``DBAPIError``."""
    try:
        yield
    except psycopg.Error as exc:
        raise sa_exc.DBAPIError.instance(sql, params, exc, psycopg.Error) from exc


def fetch_one(session: Session, sql: str, params: Mapping[str, Any]) -> Any:
    """Run ``sql`` (``%(name)s`` placeholders) and return its first row or None."""
    with (
        translated(sql, params),
        connection(session).cursor(row_factory=namedtuple_row) as cursor,
    ):
        return cursor.execute(sql, params).fetchone()


def execute(session: Session, sql: str, params: Mapping[str, Any]) -> int:
    """Run ``sql`` (``%(name)s`` placeholders) and return the affected row count."""
    with translated(sql, params), connection(session).cursor() as cursor:
        return cursor.execute(sql, params).rowcount
