"""Every model module, imported so that Alembic and the mappers see all tables."""

from app.models.analytics import AnalystRole, AnalystRoleOrganization
from app.models.devices import Node, NodeFidelity, NodeModel, Protocol, Quantity
from app.models.inventory import Address, Installation, Room, Site
from app.models.outbox import OutboxEntry
from app.models.samples import Sample
from app.models.tenancy import ApiToken, Membership, Organization, Role, User

__all__ = [
    "Address",
    "AnalystRole",
    "AnalystRoleOrganization",
    "ApiToken",
    "Installation",
    "Membership",
    "Node",
    "NodeFidelity",
    "NodeModel",
    "Organization",
    "OutboxEntry",
    "Protocol",
    "Quantity",
    "Role",
    "Room",
    "Sample",
    "Site",
    "User",
]
