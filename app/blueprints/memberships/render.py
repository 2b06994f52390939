"""Membership resources (JSON:API type ``Membership``) in the reference's shapes."""

from __future__ import annotations

from app.jsonapi import JsonObject, resource, to_one
from app.services.tenancy.memberships import MembershipView

TYPE = "Membership"


def path(membership_id: int, rest: str = "") -> str:
    """Return the path of a membership resource, or of ``rest`` below it."""
    return f"/api/v1/memberships/{membership_id}/{rest}"


def membership(m: MembershipView) -> JsonObject:
    """Render a membership with its role and the names of its user and organization."""
    return resource(
        TYPE,
        m.id,
        {
            "role": m.role.value,
            "user_name": m.user_name,
            "organization_name": m.organization_name,
            "notify_alerts": m.notify_alerts,
        },
        {
            "organization": to_one(
                "Organization", m.organization_id, related=path(m.id, "organization/")
            ),
            "user": to_one("User", m.user_id, related=path(m.id, "user/")),
        },
        self_link=path(m.id),
    )
