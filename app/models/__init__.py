"""Every model module, imported so that Alembic and the mappers see all tables."""

from app.models.alerts import (
    Alert,
    AlertDirty,
    AlertKind,
    AlertNotification,
    AlertRoomState,
    AlertRule,
    AlertWebhook,
    ClearReason,
)
from app.models.analytics import AnalystRole, AnalystRoleOrganization
from app.models.auth import Login, LoginFailure, RevokedToken
from app.models.dashboard import RoomAirDay
from app.models.devices import Node, NodeFidelity, NodeModel, Protocol, Quantity
from app.models.imports import ImportedRow
from app.models.inventory import Address, Installation, Room, Site
from app.models.jobs import JobRun
from app.models.outbox import OutboxEntry
from app.models.publishers import PublisherRegistration
from app.models.samples import Sample
from app.models.tenancy import (
    ApiToken,
    MemberLookup,
    Membership,
    Organization,
    Role,
    User,
)

__all__ = [
    "Address",
    "Alert",
    "AlertDirty",
    "AlertKind",
    "AlertNotification",
    "AlertRoomState",
    "AlertRule",
    "AlertWebhook",
    "AnalystRole",
    "AnalystRoleOrganization",
    "ApiToken",
    "ClearReason",
    "ImportedRow",
    "Installation",
    "JobRun",
    "Login",
    "LoginFailure",
    "MemberLookup",
    "Membership",
    "Node",
    "NodeFidelity",
    "NodeModel",
    "Organization",
    "OutboxEntry",
    "Protocol",
    "PublisherRegistration",
    "Quantity",
    "RevokedToken",
    "Role",
    "Room",
    "RoomAirDay",
    "Sample",
    "Site",
    "User",
]
