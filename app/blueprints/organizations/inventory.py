"""``/organizations/<id>/sites/`` and ``/organizations/<id>/nodes/``.

They answer exactly what ``/sites/?filter[organization]=<id>`` and
``/nodes/?filter[organization]=<id>`` answer (the inventory's renderers and
queries), after checking that the organization itself is visible.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.blueprints.common import page_of, search_terms
from app.blueprints.nodes.render import node_resource
from app.blueprints.sites.render import address_resource, site_resource
from app.jsonapi import JsonObject, QueryParams, collection
from app.models import Node, Organization
from app.services import access, nodes, sites
from app.services.access import Actor


def sites_of(
    session: Session, actor: Actor, organization_id: int, params: QueryParams
) -> JsonObject:
    """Return the document of the sites of a visible organization that ``actor`` sees.

    Raises:
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.get_visible(session, actor, Organization, organization_id)
    filters = sites.SiteFilters(organization_id, search_terms(params))
    rows, page = page_of(session, sites.sites_select(actor, filters), params)
    addresses = sites.visible_addresses(session, actor, {s.address_id for s in rows})
    return collection(
        [site_resource(s) for s in rows],
        [address_resource(a) for a in addresses],
        links=page.links,
        meta=page.meta,
    )


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
    filters = nodes.NodeFilters(organization_id, search_terms(params))
    rows, page = page_of(session, nodes.nodes_select(actor, filters), params)
    views = nodes.with_stats(session, rows)
    return collection(
        [node_resource(v) for v in views], links=page.links, meta=page.meta
    )
