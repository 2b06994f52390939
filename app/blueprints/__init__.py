"""Blueprints, registered in a fixed order (it is also the OpenAPI tag order)."""

from __future__ import annotations

from flask import Flask

from app.jsonapi import JsonApi


def register_blueprints(app: Flask, api: JsonApi) -> None:
    """Attach every blueprint to ``app``; API blueprints go through ``api`` (OpenAPI)."""
    from app.blueprints.health.routes import blp as health
    from app.blueprints.memberships.routes import blp as memberships
    from app.blueprints.organizations.routes import blp as organizations
    from app.blueprints.root.routes import blp as root
    from app.blueprints.users.routes import blp as users

    app.register_blueprint(health)
    api.register_blueprint(root)
    api.register_blueprint(users)
    api.register_blueprint(organizations)
    api.register_blueprint(memberships)
