"""Sites and addresses (and a minimal organization) as JSON:API resource objects."""

from __future__ import annotations

from decimal import Decimal

from app.jsonapi import JsonObject, resource, to_many, to_one
from app.models import Address, Organization, Site


def site_resource(site: Site) -> JsonObject:
    """Render a site (type ``Site``)."""
    base = f"/api/v1/sites/{site.id}"
    return resource(
        "Site",
        site.id,
        {"name": site.name, "description": site.description},
        {
            "address": to_one("Address", site.address_id, f"{base}/address/"),
            "operator": to_one(
                "Organization", site.operator_id, f"{base}/organization/"
            ),
            "rooms": to_many(None, related=f"{base}/rooms/"),
        },
        self_link=f"{base}/",
    )


def _coordinate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.6f}"


def address_resource(address: Address) -> JsonObject:
    """Render an address (type ``Address``); coordinates as 6-place strings."""
    return resource(
        "Address",
        address.id,
        {
            "street1": address.street1,
            "street2": address.street2,
            "zip": address.zip,
            "city": address.city,
            "latitude": _coordinate(address.latitude),
            "longitude": _coordinate(address.longitude),
        },
        self_link=f"/api/v1/addresses/{address.id}/",
    )


def organization_resource(org: Organization) -> JsonObject:
    """Render an organization for the inventory's related endpoints.

    Members are never listed here (links only), so the rendering is safe for
    anonymous callers of public organizations. The organizations blueprint
    renders the full resource.
    """
    base = f"/api/v1/organizations/{org.id}"
    return resource(
        "Organization",
        org.id,
        {"name": org.name, "description": org.description},
        {
            "users": to_many(None, related=f"{base}/users/"),
            "memberships": to_many(None, related=f"{base}/memberships/"),
            "sites": to_many(None, related=f"{base}/sites/"),
            "nodes": to_many(None, related=f"{base}/nodes/"),
        },
        self_link=f"{base}/",
    )
