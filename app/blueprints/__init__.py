"""Blueprints, registered in the order of :data:`BLUEPRINTS` (also the OpenAPI tag order)."""

from __future__ import annotations

from flask import Blueprint, Flask

from app.blueprints.accounts.passwords import blp as account_passwords
from app.blueprints.accounts.routes import blp as accounts
from app.blueprints.addresses.routes import blp as addresses
from app.blueprints.airquality.routes import blp as airquality
from app.blueprints.alerts.routes import blp as alerts
from app.blueprints.alerts.webhooks import blp as alert_webhooks
from app.blueprints.apidocs.routes import blp as apidocs
from app.blueprints.auth.passwords import blp as auth_password
from app.blueprints.auth.registration import blp as auth_registration
from app.blueprints.auth.routes import blp as auth
from app.blueprints.catalogue.routes import blp as catalogue
from app.blueprints.dashboard.routes import blp as dashboard
from app.blueprints.dashboard_manage.routes import blp as dashboard_manage
from app.blueprints.fidelity.routes import blp as fidelity
from app.blueprints.fieldsets import MEMBERS
from app.blueprints.health.routes import blp as health
from app.blueprints.ingest.routes import blp as ingest
from app.blueprints.installations.routes import blp as installations
from app.blueprints.media.routes import register_media
from app.blueprints.memberships.routes import blp as memberships
from app.blueprints.nodes.routes import blp as nodes
from app.blueprints.organizations.routes import blp as organizations
from app.blueprints.rooms.routes import blp as rooms
from app.blueprints.root.routes import blp as root
from app.blueprints.series.routes import blp as series
from app.blueprints.sites.routes import blp as sites
from app.blueprints.start.routes import blp as start
from app.blueprints.timeseries.routes import blp as timeseries
from app.blueprints.users.routes import blp as users
from app.jsonapi import JsonApi, JsonApiBlueprint
from app.jsonapi.fieldsets import register_members

# One list, one order: the API blueprints' order is the OpenAPI document's tag order.
BLUEPRINTS: tuple[Blueprint, ...] = (
    health,
    root,
    users,
    organizations,
    memberships,
    catalogue,
    nodes,
    addresses,
    sites,
    rooms,
    installations,
    fidelity,
    alerts,
    alert_webhooks,
    auth,
    auth_password,
    auth_registration,
    accounts,
    account_passwords,
    start,
    dashboard,
    dashboard_manage,
    airquality,
    timeseries,
    series,
    ingest,
    apidocs,
)


def register_blueprints(app: Flask, api: JsonApi) -> None:
    """Attach every blueprint to ``app``; API blueprints go through ``api`` (OpenAPI).

    The JSON:API blueprints are the documented ones; the pages, health and the API
    docs themselves are plain Flask blueprints and stay out of the document.
    """
    for blp in BLUEPRINTS:
        if isinstance(blp, JsonApiBlueprint):
            api.register_blueprint(blp)
        else:
            app.register_blueprint(blp)
    register_media(app)
    register_members(app, MEMBERS)
