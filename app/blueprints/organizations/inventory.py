"""``/organizations/<id>/sites/`` and ``/organizations/<id>/nodes/``.

They answer exactly what ``/sites/?filter[organization]=<id>`` and
``/nodes/?filter[organization]=<id>`` answer (the inventory's renderers and
queries), after checking that the organization itself is visible.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.blueprints.docs import page, paged
from app.blueprints.nodes.render import node_resource
from app.blueprints.sites.render import address_resource, site_resource
from app.jsonapi import JsonObject, QueryParams
from app.models import Node, Organization
from app.services import access
from app.services.access import Actor
from app.services.inventory import nodes, sites


def sites_of(
    session: Session, actor: Actor, filters: sites.SiteFilters, params: QueryParams
) -> JsonObject:
    """Return the document of the sites of a visible organization that ``actor`` sees.

    ``filters`` names the organization.

    Raises:
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.get_visible(session, actor, Organization, filters.organization_id)
    listing = sites.list_sites(session, actor, filters, page(params))
    ids = {s.address_id for s in listing.items}
    addresses = sites.visible_addresses(session, actor, ids)
    included = [address_resource(a) for a in addresses]
    return paged(listing, params, site_resource, included)


def nodes_of(
    session: Session, actor: Actor, filters: nodes.NodeFilters, params: QueryParams
) -> JsonObject:
    """Return the document of the nodes of one of ``actor``'s organizations.

    Raises:
        UnauthenticatedError: anonymous caller (nodes are never public).
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.require_may_query(actor, Node)
    access.get_visible(session, actor, Organization, filters.organization_id)
    listing = nodes.list_nodes(session, actor, filters, page(params))
    return paged(listing, params, node_resource)
