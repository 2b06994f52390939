"""Shared fixtures: one migrated throwaway database per run, a rolled-back session per test.

The application, its blueprints and Alembic are imported by the fixtures that
use them, not here: the unit tier loads this file too and needs none of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from sqlalchemy.orm import Session

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

# Compiled modules (ours, and pytest's rewritten test modules) are kept between
# runs in an ignored folder whatever PYTHONDONTWRITEBYTECODE says: compiling
# them afresh was about a sixth of the unit tier's time. The prefix keeps the
# shared virtualenv and the source tree free of them.
sys.dont_write_bytecode = False
sys.pycache_prefix = str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "pyc")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database created for this test run and dropped at its end."""
    from tests.support.database import throwaway_database

    with throwaway_database() as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The application on the throwaway database, migrated to head by Alembic."""
    import flask_migrate

    from app import create_app
    from app.blueprints.ingest import fast
    from app.extensions import db

    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LOG_LEVEL": "WARNING",
        }
    )
    with application.app_context():
        flask_migrate.upgrade()
        yield application
        db.session.remove()
        db.engine.dispose()
        fast.dispose(application)


@pytest.fixture
def session(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """Run the test inside one outer transaction that is always rolled back.

    Flask-SQLAlchemy resolves binds through ``db.engines``, so the connection goes
    there; commits inside requests become savepoint releases.
    """
    from app.extensions import SESSION_OPTIONS, db

    conn = db.engine.connect()
    outer = conn.begin()
    monkeypatch.setitem(db.engines, None, conn)
    scoped = db._make_scoped_session(
        {"join_transaction_mode": "create_savepoint", **SESSION_OPTIONS}
    )
    monkeypatch.setattr(db, "session", scoped)
    yield scoped()
    scoped.remove()
    outer.rollback()
    conn.close()


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    """A test client whose requests share the test's rolled-back session."""
    return app.test_client()


@pytest.fixture
def make_app(database_url: str) -> Iterator[Any]:
    """Build another app instance with extra settings (for config-dependent tests)."""
    from tests.support.apps import app_builder

    with app_builder(database_url) as build:
        yield build
