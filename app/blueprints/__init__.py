"""Blueprints, registered in a fixed order (it is also the OpenAPI tag order)."""

from __future__ import annotations

from flask import Flask

from app.jsonapi import JsonApi


def register_blueprints(app: Flask, api: JsonApi) -> None:
    """Attach every blueprint to ``app``; API blueprints go through ``api`` (OpenAPI)."""
    from app.blueprints.health.routes import blp as health
    from app.blueprints.ingest.routes import blp as ingest

    app.register_blueprint(health)
    api.register_blueprint(ingest)
