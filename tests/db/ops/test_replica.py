"""Read routing to a second database connection (the replica)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from flask import Flask

from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.services.ops.replica import read_session
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


NODE_ID = uuid.UUID("0b7f6c1e-58a4-4d5e-9a61-3c2d1e0f9a87")


def _world(url: str, with_samples: bool) -> int:
    """Migrate ``url`` and commit one public installation (and samples) into it."""
    from datetime import UTC, datetime

    import flask_migrate

    from tests.factories import (
        make_installation,
        make_node,
        make_organization,
        make_samples,
    )

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        session = db.session()
        node = make_node(session, owner=make_organization(session), id=NODE_ID)
        inst = make_installation(
            session,
            node=node,
            is_public=True,
            from_time=datetime(2024, 1, 1, tzinfo=UTC),
        )
        if with_samples:
            make_samples(session, node, count=24)
        session.commit()
        ident = inst.id
        db.session.remove()
        db.engine.dispose()
    return ident


def test_series_reads_go_to_the_replica(replica_url: str) -> None:
    with throwaway_database("co2_primary") as primary_url:
        on_primary = _world(primary_url, with_samples=False)
        on_replica = _world(replica_url, with_samples=True)
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": primary_url,
                "DATABASE_REPLICA_URL": replica_url,
            }
        )
        resp = app.test_client().get(
            f"/api/v1/installations/{on_primary}/series/"
            "?filter[from]=1704067200&filter[to]=1704153600&resolution=raw"
        )
        with app.app_context():
            db.engines["replica"].dispose()
            db.engine.dispose()

    assert on_primary == on_replica
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.json
    assert body is not None
    assert len(body["data"]["attributes"]["timestamps_s"]) == 24
