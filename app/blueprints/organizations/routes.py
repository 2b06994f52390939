"""``/api/v1/organizations/``: organizations, their members and inventory lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from sqlalchemy.orm import Session

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body
from app.blueprints.filters import SearchArgsSchema
from app.blueprints.memberships import render as membership_render
from app.blueprints.memberships.schemas import MEMBERSHIP_DOCUMENTS
from app.blueprints.nodes.schemas import NODE_DOCUMENTS
from app.blueprints.organizations import inventory, render
from app.blueprints.organizations.schemas import (
    ORGANIZATION_DOCUMENTS,
    OrganizationAttributesSchema,
)
from app.blueprints.sites.schemas import SITE_DOCUMENTS
from app.blueprints.users import render as user_render
from app.blueprints.users.schemas import USER_DOCUMENTS
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    JsonObject,
    parse_query_params,
    parse_resource,
)
from app.jsonapi.attributes import load_attributes
from app.jsonapi.payload import parse_linkage_document, to_many_ids
from app.services import access
from app.services.access import Actor
from app.services.inventory import nodes, sites
from app.services.tenancy import directory, members, memberships, organizations
from app.services.tenancy.organizations import OrganizationView
from app.services.tenancy.unset import UNSET

blp = JsonApiBlueprint(
    "organizations",
    __name__,
    url_prefix="/api/v1/organizations",
    description="Tenants: they own nodes and operate sites; OWNERs manage them.",
)

INCLUDES = {"users"}
ORDER = ("name",)  # list_organizations's order


@blp.route("/")
class OrganizationList(MethodView):
    """The organizations the caller may see."""

    @docs.lists(blp, ORGANIZATION_DOCUMENTS, docs.sort_parameter(*ORDER))
    def get(self) -> ResponseReturnValue:
        """List your organizations and the public ones, by name."""
        params = parse_query_params(order=ORDER)
        include = params.check_include(INCLUDES)
        session, actor = db.session(), current_actor()
        listing = organizations.list_organizations(session, actor, docs.page(params))
        included = _included(session, actor, listing.items, include)
        return docs.paged(listing, params, render.organization, included)

    @docs.creates(blp, ORGANIZATION_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Create an organization; you become its OWNER."""
        params = parse_query_params(strict=False)
        actor = current_actor()
        access.require_authenticated(actor)
        res = parse_resource(body(), render.TYPE)
        attrs = load_attributes(OrganizationAttributesSchema(), res.attributes)
        new = organizations.NewOrganization(
            name=attrs["name"],
            description=attrs.get("description"),
            member_ids=(
                to_many_ids(res, "users", user_render.TYPE)
                if "users" in res.relationships
                else ()
            ),
        )
        with transaction() as session:
            view = organizations.create_organization(session, actor, new)
        return docs.created(docs.one(render.organization(view), params))


@blp.route("/<int:pk>/")
class OrganizationItem(MethodView):
    """One organization."""

    @docs.reads(blp, ORGANIZATION_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get one of your organizations or a public one."""
        params = parse_query_params()
        include = params.check_include(INCLUDES)
        session, actor = db.session(), current_actor()
        view = organizations.get_organization(session, actor, pk)
        included = _included(session, actor, [view], include)
        return docs.one(render.organization(view), params, included)

    @docs.updates(blp, ORGANIZATION_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change an organization you own (name, description, member set)."""
        return _update(pk, partial=True)

    @docs.updates(blp, ORGANIZATION_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace an organization you own; ``name`` is required."""
        return _update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete an organization you own with all its inventory and samples."""
        with transaction() as session:
            organizations.delete_organization(session, current_actor(), pk)
        return docs.no_content()


@blp.route("/<int:pk>/users/")
class OrganizationUsers(MethodView):
    """The members of an organization."""

    @docs.lists(blp, USER_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """List the members (usernames) of one of your organizations."""
        params = parse_query_params(strict=False)
        listing = directory.organization_users(
            db.session(), current_actor(), pk, docs.page(params)
        )
        return docs.paged(listing, params, user_render.user_summary)


@blp.route("/<int:pk>/memberships/")
class OrganizationMemberships(MethodView):
    """The memberships of an organization."""

    @docs.lists(blp, MEMBERSHIP_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """List the memberships of one of your organizations."""
        params = parse_query_params(strict=False)
        listing = memberships.organization_memberships(
            db.session(), current_actor(), pk, docs.page(params)
        )
        return docs.paged(listing, params, membership_render.membership)


@blp.route("/<int:pk>/sites/")
class OrganizationSites(MethodView):
    """The sites an organization operates."""

    @blp.arguments(SearchArgsSchema, location="query")
    @docs.lists(blp, SITE_DOCUMENTS)
    def get(self, args: dict[str, Any], pk: int) -> ResponseReturnValue:
        """List the sites of an organization that you may see."""
        params = parse_query_params(strict=False)
        filters = sites.SiteFilters(pk, **args)
        return inventory.sites_of(db.session(), current_actor(), filters, params)


@blp.route("/<int:pk>/nodes/")
class OrganizationNodes(MethodView):
    """The nodes an organization owns."""

    @blp.arguments(SearchArgsSchema, location="query")
    @docs.lists(blp, NODE_DOCUMENTS)
    def get(self, args: dict[str, Any], pk: int) -> ResponseReturnValue:
        """List the nodes of one of your organizations."""
        params = parse_query_params(strict=False)
        filters = nodes.NodeFilters(pk, **args)
        return inventory.nodes_of(db.session(), current_actor(), filters, params)


@blp.route("/<int:pk>/relationships/users/", methods=["GET", "POST", "DELETE"])
class OrganizationUserLinks(MethodView):
    """The members as a relationship: members read it, OWNERs change it."""

    @docs.relates(blp)
    def get(self, pk: int) -> ResponseReturnValue:
        """List the members of one of your organizations as identifiers."""
        ids = members.member_ids(db.session(), current_actor(), pk)
        return user_render.linkage(user_render.TYPE, ids)

    @docs.relates(blp, user_render.TYPE)
    def post(self, pk: int) -> ResponseReturnValue:
        """Add users to an organization you own, as INSPECTORs."""
        return _change_members(pk, members.add)

    @docs.relates(blp, user_render.TYPE)
    def delete(self, pk: int) -> ResponseReturnValue:
        """Remove users from an organization you own (never its last OWNER)."""
        return _change_members(pk, members.remove)


def _update(pk: int, *, partial: bool) -> ResponseReturnValue:
    params = parse_query_params(strict=False)
    actor = current_actor()
    with transaction() as session:
        organizations.require_changeable(session, actor, pk)
        res = parse_resource(body(), render.TYPE, url_id=pk, require_id=True)
        attrs = load_attributes(
            OrganizationAttributesSchema(), res.attributes, partial=partial
        )
        changes = organizations.OrganizationChanges(
            name=attrs.get("name", UNSET),
            description=attrs.get("description", UNSET),
            member_ids=(
                to_many_ids(res, "users", user_render.TYPE)
                if "users" in res.relationships
                else UNSET
            ),
        )
        view = organizations.update_organization(session, actor, pk, changes)
    return docs.one(render.organization(view), params)


def _change_members(pk: int, operation: members.MembersChange) -> ResponseReturnValue:
    actor = current_actor()
    with transaction() as session:
        members.require_may_manage(session, actor, pk)
        user_ids = parse_linkage_document(body(), user_render.TYPE)
        operation(session, actor, pk, user_ids)
        ids = members.member_ids(session, actor, pk)
    return user_render.linkage(user_render.TYPE, ids)


def _included(
    session: Session,
    actor: Actor,
    views: Iterable[OrganizationView],
    include: Collection[str],
) -> list[JsonObject]:
    if "users" not in include:
        return []
    ids = {i for view in views for i in view.member_ids or ()}
    return [
        user_render.user_detail(u) for u in directory.users_by_ids(session, actor, ids)
    ]
