"""Blueprints, registered in a fixed order (it is also the OpenAPI tag order)."""

from __future__ import annotations

from flask import Flask

from app.blueprints.fieldsets import MEMBERS
from app.jsonapi import JsonApi
from app.jsonapi.fieldsets import register_members


def register_blueprints(app: Flask, api: JsonApi) -> None:
    """Attach every blueprint to ``app``; API blueprints go through ``api`` (OpenAPI)."""
    from app.blueprints.accounts.passwords import blp as account_passwords
    from app.blueprints.accounts.routes import blp as accounts
    from app.blueprints.auth.passwords import blp as auth_password
    from app.blueprints.auth.registration import blp as auth_registration
    from app.blueprints.auth.routes import blp as auth
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

    from app.blueprints.addresses.routes import blp as addresses
    from app.blueprints.catalogue.routes import blp as catalogue
    from app.blueprints.installations.routes import blp as installations
    from app.blueprints.media.routes import register_media
    from app.blueprints.nodes.routes import blp as nodes
    from app.blueprints.rooms.routes import blp as rooms
    from app.blueprints.sites.routes import blp as sites

    for inventory in (catalogue, nodes, addresses, sites, rooms, installations):
        api.register_blueprint(inventory)
    register_media(app)

    from app.blueprints.fidelity.routes import blp as fidelity

    api.register_blueprint(fidelity)

    api.register_blueprint(auth)
    api.register_blueprint(auth_password)
    api.register_blueprint(auth_registration)
    app.register_blueprint(accounts)
    app.register_blueprint(account_passwords)

    from app.blueprints.start.routes import blp as start

    app.register_blueprint(start)

    from app.blueprints.airquality.routes import blp as airquality

    api.register_blueprint(airquality)

    from app.blueprints.series.routes import blp as series
    from app.blueprints.timeseries.routes import blp as timeseries

    api.register_blueprint(timeseries)
    api.register_blueprint(series)

    from app.blueprints.ingest.routes import blp as ingest

    api.register_blueprint(ingest)

    from app.blueprints.apidocs.routes import blp as apidocs

    app.register_blueprint(apidocs)
    register_members(app, MEMBERS)
