"""Organization resources (JSON:API type ``Organization``) in the reference's shapes."""

from __future__ import annotations

from app.jsonapi import JsonObject, resource, to_many
from app.services.tenancy.organizations import OrganizationView

TYPE = "Organization"


def path(organization_id: int, rest: str = "") -> str:
    """Return the path of an organization resource, or of ``rest`` below it."""
    return f"/api/v1/organizations/{organization_id}/{rest}"


def organization(org: OrganizationView) -> JsonObject:
    """Render an organization.

    ``users`` carries the member ids (with ``meta.count``) only for callers
    who may know the members; others get its link alone.
    """
    members = None if org.member_ids is None else [("User", i) for i in org.member_ids]
    return resource(
        TYPE,
        org.id,
        {"name": org.name, "description": org.description},
        {
            "users": to_many(
                members,
                related=path(org.id, "users/"),
                with_count=members is not None,
            ),
            "memberships": to_many(None, related=path(org.id, "memberships/")),
            "sites": to_many(None, related=path(org.id, "sites/")),
            "nodes": to_many(None, related=path(org.id, "nodes/")),
        },
        self_link=path(org.id),
    )
