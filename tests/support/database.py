"""Throwaway databases on the real PostgreSQL + TimescaleDB cluster."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://co2:co2@127.0.0.1:5432/co2"


def server_url() -> str:
    """Return the URL of the database the tests may create databases from."""
    return (
        os.environ.get("TEST_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_URL
    )


def _libpq(url: str, dbname: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if dbname is not None:
        parsed = parsed.set(database=dbname)
    return parsed.render_as_string(hide_password=False)


@contextmanager
def throwaway_database(prefix: str = "co2_test") -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, drop it afterwards."""
    base = server_url()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = _libpq(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@contextmanager
def migrated_database(prefix: str = "co2_test") -> Iterator[str]:
    """A throwaway database with every migration applied; yields its URL.

    For tests that commit: the shared test database only sees rolled-back work.
    """
    import flask_migrate

    from app import create_app
    from app.extensions import db

    with throwaway_database(prefix) as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade()
            db.engine.dispose()
        yield url
