"""Blueprints, registered in a fixed order (it is also the OpenAPI tag order)."""

from __future__ import annotations

from flask import Flask

from app.jsonapi import JsonApi


def register_blueprints(app: Flask, api: JsonApi) -> None:
    """Attach every blueprint to ``app``; API blueprints go through ``api`` (OpenAPI)."""
    from app.blueprints.accounts.passwords import blp as account_passwords
    from app.blueprints.accounts.routes import blp as accounts
    from app.blueprints.auth.passwords import blp as auth_password
    from app.blueprints.auth.registration import blp as auth_registration
    from app.blueprints.auth.routes import blp as auth
    from app.blueprints.health.routes import blp as health

    app.register_blueprint(health)
    api.register_blueprint(auth)
    api.register_blueprint(auth_password)
    api.register_blueprint(auth_registration)
    app.register_blueprint(accounts)
    app.register_blueprint(account_passwords)
