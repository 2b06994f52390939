"""``/api/v1/memberships/``: who is OWNER or INSPECTOR of which organization."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from sqlalchemy.orm import Session

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body
from app.blueprints.memberships import render
from app.blueprints.memberships.schemas import (
    MEMBERSHIP_DOCUMENTS,
    MembershipAttributesSchema,
    MembershipQueryArgsSchema,
)
from app.blueprints.organizations import render as organization_render
from app.blueprints.organizations.schemas import ORGANIZATION_DOCUMENTS
from app.blueprints.users import render as user_render
from app.blueprints.users.schemas import USER_DOCUMENTS
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    JsonObject,
    ResourceInput,
    parse_query_params,
    parse_resource,
    relationship_id,
)
from app.jsonapi.attributes import load_attributes
from app.models import Role
from app.services import access
from app.services.access import Actor
from app.services.tenancy import directory, memberships, organizations
from app.services.tenancy.memberships import MembershipView
from app.services.tenancy.unset import UNSET, Unset

blp = JsonApiBlueprint(
    "memberships",
    __name__,
    url_prefix="/api/v1/memberships",
    description="Roles of users in organizations: OWNER (O) or INSPECTOR (I).",
)

INCLUDES = {"organization", "user"}
ORDER = ("role", "organization_name")  # list_memberships' order (I before O)


@blp.route("/")
class MembershipList(MethodView):
    """The memberships of the caller's organizations."""

    @blp.arguments(MembershipQueryArgsSchema, location="query")
    @docs.lists(blp, MEMBERSHIP_DOCUMENTS, docs.sort_parameter(*ORDER))
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the memberships of your organizations."""
        params = parse_query_params(order=ORDER)
        include = params.check_include(INCLUDES)
        filters = memberships.MembershipFilter(**args)
        session, actor = db.session(), current_actor()
        listing = memberships.list_memberships(
            session, actor, filters, docs.page(params)
        )
        included = _included(session, actor, listing.items, include)
        return docs.paged(listing, params, render.membership, included)

    @docs.creates(blp, MEMBERSHIP_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Add a user to an organization you own (role I unless given)."""
        params = parse_query_params(strict=False)
        actor = current_actor()
        access.require_owner_somewhere(actor)  # 401, 403 whatever the body
        res = parse_resource(body(), render.TYPE)
        org_id = relationship_id(res, "organization", organization_render.TYPE, int)
        with transaction() as session:
            memberships.require_may_add(session, actor, org_id)  # 403 before 400
            attrs = load_attributes(MembershipAttributesSchema(), res.attributes)
            new = memberships.NewMembership(
                user_id=relationship_id(res, "user", user_render.TYPE, int),
                organization_id=org_id,
                role=Role(attrs["role"]),
            )
            view = memberships.create_membership(session, actor, new)
        return docs.created(docs.one(render.membership(view), params))


@blp.route("/<int:pk>/")
class MembershipItem(MethodView):
    """One membership."""

    @docs.reads(blp, MEMBERSHIP_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get a membership in one of your organizations."""
        params = parse_query_params()
        include = params.check_include(INCLUDES)
        session, actor = db.session(), current_actor()
        view = memberships.view(session, actor, pk)
        included = _included(session, actor, [view], include)
        return docs.one(render.membership(view), params, included)

    @docs.updates(blp, MEMBERSHIP_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change the role (or user, or organization) of a membership you own."""
        return _update(pk, partial=True)

    @docs.updates(blp, MEMBERSHIP_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace a membership you own; ``user`` and ``organization`` are required."""
        return _update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Remove a membership of an organization you own (never its last OWNER)."""
        with transaction() as session:
            memberships.delete_membership(session, current_actor(), pk)
        return docs.no_content()


@blp.route("/<int:pk>/user/")
class MembershipUser(MethodView):
    """The user of a membership."""

    @docs.reads(blp, USER_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get the user of a membership in one of your organizations."""
        params = parse_query_params(strict=False)
        session, actor = db.session(), current_actor()
        view = memberships.view(session, actor, pk)
        user = directory.get_user(session, actor, view.user_id)
        return docs.one(user_render.user_detail(user), params)


@blp.route("/<int:pk>/organization/")
class MembershipOrganization(MethodView):
    """The organization of a membership."""

    @docs.reads(blp, ORGANIZATION_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get the organization of a membership in one of your organizations."""
        params = parse_query_params(strict=False)
        session, actor = db.session(), current_actor()
        view = memberships.view(session, actor, pk)
        org = organizations.get_organization(session, actor, view.organization_id)
        return docs.one(organization_render.organization(org), params)


def _update(pk: int, *, partial: bool) -> ResponseReturnValue:
    params = parse_query_params(strict=False)
    actor = current_actor()
    document = body()
    with transaction() as session:
        memberships.require_changeable(
            session, actor, pk, preference_only=partial and _preferences(document)
        )
        res = parse_resource(document, render.TYPE, url_id=pk, require_id=True)
        attrs = load_attributes(
            MembershipAttributesSchema(), res.attributes, partial=partial
        )
        role = attrs["role"] if "role" in res.attributes else UNSET
        changes = memberships.MembershipChanges(
            role=Role(role) if isinstance(role, str) else UNSET,
            user_id=_linked(res, "user", user_render.TYPE, partial),
            organization_id=_linked(
                res, "organization", organization_render.TYPE, partial
            ),
            notify_alerts=attrs.get("notify_alerts", UNSET),
        )
        view = memberships.update_membership(session, actor, pk, changes)
    return docs.one(render.membership(view), params)


def _preferences(document: Any) -> bool:
    """Whether a PATCH body sets only the member's own preferences."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or "relationships" in data:
        return False
    attributes = data.get("attributes")
    return isinstance(attributes, dict) and set(attributes) == {"notify_alerts"}


def _linked(res: ResourceInput, name: str, type_: str, partial: bool) -> int | Unset:
    if partial and name not in res.relationships:
        return UNSET
    return relationship_id(res, name, type_, int)


def _included(
    session: Session,
    actor: Actor,
    views: Iterable[MembershipView],
    include: Collection[str],
) -> list[JsonObject]:
    views = list(views)
    included: list[JsonObject] = []
    if "organization" in include:
        orgs = organizations.views_by_ids(
            session, actor, {v.organization_id for v in views}
        )
        included += [organization_render.organization(o) for o in orgs]
    if "user" in include:
        users = directory.users_by_ids(session, actor, {v.user_id for v in views})
        included += [user_render.user_detail(u) for u in users]
    return included
