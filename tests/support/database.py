"""Throwaway databases on the real PostgreSQL + TimescaleDB cluster."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

T = TypeVar("T")

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


def insert_node(dsn: str) -> uuid.UUID:
    """Commit a node (and the organization, protocol and model it needs) to the
    migrated database at ``dsn``; returns the node's id."""
    node_id = uuid.uuid4()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO organizations (name) VALUES ('o') ON CONFLICT DO NOTHING"
        )
        conn.execute(
            "INSERT INTO protocols (identifier) VALUES ('p') ON CONFLICT DO NOTHING"
        )
        conn.execute(
            "INSERT INTO node_models (name, trade_name, manufacturer, sensor_type)"
            " VALUES ('m', 'm', 'm', 'm') ON CONFLICT DO NOTHING"
        )
        conn.execute(
            "INSERT INTO nodes (id, eui64, alias, protocol_id, model_id, owner_id)"
            " SELECT %s, upper(substr(md5(%s::text), 1, 16)), 'n', p.id, m.id, o.id"
            " FROM protocols p, node_models m, organizations o",
            (node_id, node_id),
        )
    return node_id


def seed_database(url: str, seed: Callable[[Session], T]) -> T:
    """Run ``seed`` in one committed transaction on the database at ``url``.

    For tests of live servers, which see only committed rows; ``seed`` should
    return plain values, not rows of its closed session.
    """
    from app import create_app
    from app.db import transaction
    from app.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        with transaction() as session:
            result = seed(session)
        db.session.remove()
        db.engine.dispose()
    return result
