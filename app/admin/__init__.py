"""The back office: Flask-Admin at ``/admin/`` for staff users.

:func:`init_admin` builds a new :class:`flask_admin.Admin` for every app (a
module-level one breaks the second ``create_app()``); call it after
``init_i18n`` (Flask-Admin pages need Babel) and after the account pages'
blueprint (the log-in redirect). Every view derives from
:class:`app.admin.base.StaffOnly`; ``tests/admin/test_admin_access.py`` walks
every registered view so new ones are covered automatically.
"""

from __future__ import annotations

import secrets

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from flask import Flask, Response, g, request

from app.admin.alerts import AlertsView
from app.admin.catalogue import NodeModelAdmin, ProtocolAdmin, QuantityAdmin
from app.admin.data import FidelityAdmin, RegistrationAdmin, SampleAdmin
from app.admin.installations import InstallationAdmin
from app.admin.inventory import AddressAdmin, NodeAdmin, RoomAdmin, SiteAdmin
from app.admin.operations import (
    AnalystRolesView,
    FidelityOverviewView,
    IngestTokensView,
    JobsView,
    OutboxView,
)
from app.admin.pages import DashboardView, LocaleView, PlotsView, language_name
from app.admin.tenancy import MembershipAdmin, OrganizationAdmin, UserAdmin
from app.http import HTML_CSP
from app.models import (
    Address,
    Installation,
    Membership,
    Node,
    NodeFidelity,
    NodeModel,
    Organization,
    Protocol,
    PublisherRegistration,
    Quantity,
    Room,
    Sample,
    Site,
    User,
)

URL = "/admin"
#: ``app.extensions`` key of this app's :class:`~flask_admin.Admin`.
EXTENSION = "airq.admin"


def _at(name: str) -> dict[str, str]:
    """Endpoint ``admin_<name>`` (API blueprints own the short names) at ``/admin/<name>/``."""
    return {"endpoint": f"admin_{name}", "url": f"{URL}/{name}"}


def csp_nonce() -> str:
    """Return this request's CSP nonce for Flask-Admin's scripts and styles."""
    if "admin_csp_nonce" not in g:
        g.admin_csp_nonce = secrets.token_urlsafe(16)
    return str(g.admin_csp_nonce)


def _admin_csp(response: Response) -> Response:
    """Allow the page's own nonce-carrying scripts and styles (nothing inline else)."""
    nonce = g.get("admin_csp_nonce")
    if nonce and response.mimetype == "text/html" and request.path.startswith(URL):
        source = f"'self' 'nonce-{nonce}'"
        response.headers["Content-Security-Policy"] = HTML_CSP.replace(
            "script-src 'self'", f"script-src {source}"
        ).replace("style-src 'self'", f"style-src {source}")
    return response


def init_admin(app: Flask) -> Admin:
    """Build the back office for ``app`` and register every view."""
    admin = Admin(
        app,
        name="airq",
        url=URL,
        theme=Bootstrap4Theme(base_template="admin/airq_base.html"),
        index_view=DashboardView(name=_l("Dashboard"), url=URL, endpoint="admin"),
        csp_nonce_generator=csp_nonce,
    )
    app.after_request(_admin_csp)  # runs before app.http's, which keeps it
    accounts, inventory = _l("Accounts"), _l("Inventory")
    catalogue, data, operations = _l("Catalogue"), _l("Data"), _l("Operations")
    for view in (
        UserAdmin(User, name=_l("Users"), category=accounts, **_at("user")),
        OrganizationAdmin(
            Organization,
            name=_l("Organizations"),
            category=accounts,
            **_at("organization"),
        ),
        MembershipAdmin(
            Membership, name=_l("Memberships"), category=accounts, **_at("membership")
        ),
        AddressAdmin(
            Address, name=_l("Addresses"), category=inventory, **_at("address")
        ),
        SiteAdmin(Site, name=_l("Sites"), category=inventory, **_at("site")),
        RoomAdmin(Room, name=_l("Rooms"), category=inventory, **_at("room")),
        NodeAdmin(Node, name=_l("Nodes"), category=inventory, **_at("node")),
        InstallationAdmin(
            Installation,
            name=_l("Installations"),
            category=inventory,
            **_at("installation"),
        ),
        QuantityAdmin(
            Quantity, name=_l("Quantities"), category=catalogue, **_at("quantity")
        ),
        ProtocolAdmin(
            Protocol, name=_l("Protocols"), category=catalogue, **_at("protocol")
        ),
        NodeModelAdmin(
            NodeModel, name=_l("Node models"), category=catalogue, **_at("nodemodel")
        ),
        SampleAdmin(Sample, name=_l("Samples"), category=data, **_at("sample")),
        FidelityAdmin(
            NodeFidelity, name=_l("Fidelity"), category=data, **_at("fidelity")
        ),
        RegistrationAdmin(
            PublisherRegistration,
            name=_l("Platform registrations"),
            category=data,
            **_at("registration"),
        ),
        IngestTokensView(
            name=_l("Ingest tokens"), category=operations, **_at("ingest_tokens")
        ),
        AnalystRolesView(
            name=_l("Analyst roles"), category=operations, **_at("analyst_roles")
        ),
        JobsView(name=_l("Jobs"), category=operations, **_at("jobs")),
        OutboxView(name=_l("Publisher outbox"), category=operations, **_at("outbox")),
        FidelityOverviewView(
            name=_l("Node liveness"), category=operations, **_at("liveness")
        ),
        AlertsView(name=_l("Alerts"), category=operations, **_at("alerts")),
        PlotsView(name="plots", **_at("plots")),
        LocaleView(name="locale", **_at("locale")),
    ):
        admin.add_view(view)
    app.jinja_env.globals.setdefault("admin_language_name", language_name)
    app.extensions[EXTENSION] = admin
    return admin
