"""Extra app instances on a test database, closed when the block ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from app import create_app
from app.blueprints.ingest import fast
from app.extensions import db


@contextmanager
def app_builder(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Yield ``build(**overrides)``, which makes a testing app on ``database_url``.

    Every app built is closed at the end: its sessions, its engine and the
    single-sample fast path's connections.
    """
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        application = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        )
        built.append(application)
        return application

    try:
        yield build
    finally:
        for application in built:
            with application.app_context():
                db.session.remove()
                db.engine.dispose()
            fast.dispose(application)
