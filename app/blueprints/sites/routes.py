"""``/api/v1/sites/``: sites, always with their addresses in ``included``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from sqlalchemy.orm import Session

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body, create_input, to_one_id
from app.blueprints.filters import OwnedSearchArgsSchema
from app.blueprints.organizations.schemas import ORGANIZATION_DOCUMENTS
from app.blueprints.rooms.render import room_resource
from app.blueprints.rooms.schemas import ROOM_DOCUMENTS
from app.blueprints.sites.render import (
    address_resource,
    organization_resource,
    site_resource,
)
from app.blueprints.sites.schemas import (
    ADDRESS_DOCUMENTS,
    SITE_DOCUMENTS,
    SiteAttributesSchema,
)
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    JsonObject,
    QueryParams,
    ResourceInput,
    parse_query_params,
    parse_resource,
)
from app.jsonapi.attributes import load_attributes
from app.models import Organization, Site
from app.services import access
from app.services.access import Actor
from app.services.inventory import rooms, sites

blp = JsonApiBlueprint(
    "sites",
    __name__,
    url_prefix="/api/v1/sites",
    description="Sites (buildings) operated by organizations.",
)

INCLUDES = ("address", "operator")
ORDER = ("name",)  # sites_select's order
SITE_INCLUDE = docs.include_parameter(*INCLUDES)
ATTRIBUTES = SiteAttributesSchema()


def _included(
    session: Session, actor: Actor, rows: Sequence[Site], params: QueryParams
) -> list[JsonObject]:
    """Addresses always (everyone who sees a site sees its address), operators on request."""
    include = params.check_include(INCLUDES)
    ids = {s.address_id for s in rows}
    included = [
        address_resource(a) for a in sites.visible_addresses(session, actor, ids)
    ]
    if "operator" in include:
        org_ids = {s.operator_id for s in rows}
        included += [
            organization_resource(o)
            for o in access.visible_rows(session, actor, Organization, org_ids)
        ]
    return included


def _write(res: ResourceInput, partial: bool) -> sites.SiteWrite:
    return sites.SiteWrite(
        attributes=load_attributes(ATTRIBUTES, res.attributes, partial=partial),
        address_id=to_one_id(res, "address", "Address", int, partial=partial),
        operator_id=to_one_id(res, "operator", "Organization", int, partial=partial),
    )


def _document(site: Site, params: QueryParams) -> JsonObject:
    session, actor = db.session(), current_actor()
    return docs.one(
        site_resource(site), params, _included(session, actor, [site], params)
    )


@blp.route("/")
class SiteList(MethodView):
    @blp.arguments(OwnedSearchArgsSchema, location="query")
    @docs.lists(blp, SITE_DOCUMENTS, SITE_INCLUDE, docs.sort_parameter(*ORDER))
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the sites the caller may see (public ones for anyone)."""
        params = parse_query_params(order=ORDER)
        params.check_include(INCLUDES)
        filters = sites.SiteFilters(**args)
        session, actor = db.session(), current_actor()
        listing = sites.list_sites(session, actor, filters, docs.page(params))
        included = _included(session, actor, listing.items, params)
        return docs.paged(listing, params, site_resource, included)

    @docs.creates(blp, SITE_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Create a site for an organization you own."""
        params = parse_query_params(strict=False)
        actor = current_actor()
        with transaction() as session:
            res = create_input(
                session, actor, "Site", "operator", "Organization", Organization
            )
            site = sites.create_site(session, actor, _write(res, partial=False))
            return docs.created(_document(site, params))


@blp.route("/<int:pk>/")
class SiteItem(MethodView):
    @docs.reads(blp, SITE_DOCUMENTS, SITE_INCLUDE)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get a site with its address."""
        params = parse_query_params()
        params.check_include(INCLUDES)
        site = sites.get_site(db.session(), current_actor(), pk)
        return _document(site, params)

    @docs.updates(blp, SITE_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change a site (OWNER); moving it needs OWNER rights on both organizations."""
        return self._update(pk, partial=True)

    @docs.updates(blp, SITE_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace a site (OWNER)."""
        return self._update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete a site with its rooms and installations (OWNER)."""
        with transaction() as session:
            sites.delete_site(session, current_actor(), pk)
        return docs.no_content()

    def _update(self, pk: int, partial: bool) -> ResponseReturnValue:
        params = parse_query_params(strict=False)
        actor = current_actor()
        with transaction() as session:
            access.get_owned(session, actor, Site, pk)  # 401, 404, 403 before 400
            res = parse_resource(body(), "Site", pk, require_id=True)
            site = sites.update_site(session, actor, pk, _write(res, partial))
            return _document(site, params)


@blp.route("/<int:pk>/organization/")
@docs.reads(blp, ORGANIZATION_DOCUMENTS)
def site_organization(pk: int) -> ResponseReturnValue:
    """Get the organization operating a site."""
    org = sites.site_operator(db.session(), current_actor(), pk)
    return docs.one(organization_resource(org))


@blp.route("/<int:pk>/address/")
@docs.reads(blp, ADDRESS_DOCUMENTS)
def site_address(pk: int) -> ResponseReturnValue:
    """Get the address of a site (whoever may see the site)."""
    address = sites.site_address(db.session(), current_actor(), pk)
    return docs.one(address_resource(address))


@blp.route("/<int:pk>/rooms/")
@docs.lists(blp, ROOM_DOCUMENTS)
def site_rooms(pk: int) -> ResponseReturnValue:
    """List the rooms of a site the caller may see."""
    params = parse_query_params(strict=False)
    session, actor = db.session(), current_actor()
    site = sites.get_site(session, actor, pk)
    filters = rooms.RoomFilters(site_id=site.id)
    listing = rooms.list_rooms(session, actor, filters, docs.page(params))
    return docs.paged(listing, params, room_resource)
