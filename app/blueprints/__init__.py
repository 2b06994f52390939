"""Blueprints, registered in a fixed order (it is also the OpenAPI tag order)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to ``app``."""
    from app.blueprints.health.routes import blp as health

    app.register_blueprint(health)
