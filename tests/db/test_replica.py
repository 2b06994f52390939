"""Read routing to a second database connection (the replica)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flask import Flask

from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.services.replica import read_session
from tests.support.database import throwaway_database


@pytest.fixture
def replica_url() -> Iterator[str]:
    with throwaway_database("co2_replica") as url:
        yield url


def _marker(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = (
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("CREATE TABLE whoami (name text)")
        conn.execute("INSERT INTO whoami VALUES ('replica')")


def test_read_session_uses_the_replica_when_configured(
    database_url: str, replica_url: str
) -> None:
    _marker(replica_url)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DATABASE_REPLICA_URL": replica_url,
        }
    )

    with app.test_request_context("/"):
        replica_db = (
            read_session().execute(text("SELECT current_database()")).scalar_one()
        )
        primary_db = db.session.execute(text("SELECT current_database()")).scalar_one()
        name = read_session().execute(text("SELECT name FROM whoami")).scalar_one()
    with app.app_context():
        db.engines["replica"].dispose()
        db.engine.dispose()

    assert replica_db != primary_db
    assert name == "replica"


def test_read_session_is_the_primary_session_without_replica(app: Flask) -> None:
    with app.test_request_context("/"):
        assert read_session() is db.session()
