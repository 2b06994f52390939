"""Stand-ins for ``/organizations/<id>/sites/`` and ``/organizations/<id>/nodes/``.

The Site and Node resources belong to the inventory API (issue 4). Until it is
merged, these two functions render minimal resources (Site: ``name``,
``description``, ``address``, ``operator``, ``rooms``; Node: ``eui64``,
``alias``, ``description``, ``protocol``, ``model``, ``owner``,
``installations``; no ``sample_count``/``latest_sample``, no included
addresses). On merge, replace their bodies with the inventory list views
(same signature: the documents of ``/sites/?filter[organization]=<id>`` and
``/nodes/?filter[organization]=<id>``); the routes call nothing else here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.blueprints.documents import paged, window
from app.jsonapi import JsonObject, QueryParams, resource, to_many, to_one
from app.models import Node, Organization, Site
from app.services import access
from app.services.access import Actor
from app.services.listing import Listing, fetch_rows


def sites_of(
    session: Session, actor: Actor, organization_id: int, params: QueryParams
) -> JsonObject:
    """Return the document of the sites of a visible organization that ``actor`` sees.

    Raises:
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.get_visible(session, actor, Organization, organization_id)
    stmt = access.scoped(
        select(Site)
        .where(Site.operator_id == organization_id)
        .order_by(Site.name, Site.id),
        Site,
        actor,
    )
    rows, total = fetch_rows(session, stmt, window(params))
    return paged(Listing(tuple(r[0] for r in rows), total), params, _site)


def nodes_of(
    session: Session, actor: Actor, organization_id: int, params: QueryParams
) -> JsonObject:
    """Return the document of the nodes of one of ``actor``'s organizations.

    Raises:
        UnauthenticatedError: anonymous caller (nodes are never public).
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.require_may_query(actor, Node)
    access.get_visible(session, actor, Organization, organization_id)
    stmt = access.scoped(
        select(Node)
        .where(Node.owner_id == organization_id)
        .order_by(Node.eui64, Node.id),
        Node,
        actor,
    )
    rows, total = fetch_rows(session, stmt, window(params))
    return paged(Listing(tuple(r[0] for r in rows), total), params, _node)


def _site(site: Site) -> JsonObject:
    base = f"/api/v1/sites/{site.id}/"
    return resource(
        "Site",
        site.id,
        {"name": site.name, "description": site.description},
        {
            "address": to_one("Address", site.address_id, related=base + "address/"),
            "operator": to_one(
                "Organization", site.operator_id, related=base + "organization/"
            ),
            "rooms": to_many(None, related=base + "rooms/"),
        },
        self_link=base,
    )


def _node(node: Node) -> JsonObject:
    base = f"/api/v1/nodes/{node.id}/"
    return resource(
        "Node",
        node.id,
        {"eui64": node.eui64, "alias": node.alias, "description": node.description},
        {
            "protocol": to_one(
                "Protocol", node.protocol_id, related=base + "protocol/"
            ),
            "model": to_one("Model", node.model_id, related=base + "model/"),
            "owner": to_one("Organization", node.owner_id, related=base + "owner/"),
            "installations": to_many(None, related=base + "installations/"),
        },
        self_link=base,
    )
