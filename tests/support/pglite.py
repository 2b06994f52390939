"""The application on the PGlite TimescaleDB (TSL) server of ``tests/tsl``."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app import create_app


def pglite_app(url: str, **settings: Any) -> Flask:
    """The app on ``url`` with a pool of one: PGlite serves one connection at a time."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_size": 1,
                "max_overflow": 0,
                "pool_pre_ping": False,
            },
            **settings,
        }
    )
