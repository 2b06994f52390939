"""``/api/v1/users/``: read-only users, their organizations and memberships."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body
from app.blueprints.memberships import render as membership_render
from app.blueprints.memberships.schemas import MEMBERSHIP_DOCUMENTS
from app.blueprints.organizations import render as organization_render
from app.blueprints.organizations.schemas import ORGANIZATION_DOCUMENTS
from app.blueprints.users import render
from app.blueprints.users.schemas import USER_DOCUMENTS, UserQueryArgsSchema
from app.db import transaction
from app.extensions import db
from app.jsonapi import JsonApiBlueprint, parse_query_params
from app.jsonapi.payload import parse_linkage_document
from app.services import access
from app.services.tenancy import directory, members, memberships, organizations

blp = JsonApiBlueprint(
    "users",
    __name__,
    url_prefix="/api/v1/users",
    description="People: those you share an organization with, and yourself.",
)


@blp.route("/")
class UserList(MethodView):
    """The users the caller may see."""

    @blp.arguments(UserQueryArgsSchema, location="query")
    @docs.lists(blp, USER_DOCUMENTS)
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the users who share an organization with you, and yourself."""
        params = parse_query_params()
        params.check_include(())
        filters = directory.UserFilter(**args)
        if directory.remembers_finds(filters):
            # Committed: a find by exact e-mail address is remembered, so that
            # the user may then be added to an organization by id.
            with transaction() as session:
                listing = directory.list_users(
                    session, current_actor(), filters, docs.page(params)
                )
        else:
            listing = directory.list_users(
                db.session(), current_actor(), filters, docs.page(params)
            )
        return docs.paged(listing, params, render.user_summary)


@blp.route("/<int:pk>/")
class UserItem(MethodView):
    """One user."""

    @docs.reads(blp, USER_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get a user you share an organization with, or yourself."""
        params = parse_query_params()
        params.check_include(())
        user = directory.get_user(db.session(), current_actor(), pk)
        return docs.one(render.user_detail(user), params)


@blp.route("/<int:pk>/organizations/")
class UserOrganizations(MethodView):
    """The organizations of a user."""

    @docs.lists(blp, ORGANIZATION_DOCUMENTS, paged=False)
    def get(self, pk: int) -> ResponseReturnValue:
        """List a user's organizations that you belong to as well (not paged)."""
        params = parse_query_params(strict=False)
        session, actor = db.session(), current_actor()
        ids = members.organization_ids(session, actor, pk)
        views = organizations.views_by_ids(session, actor, ids)
        return docs.unpaged(views, params, organization_render.organization)


@blp.route("/<int:pk>/memberships/")
class UserMemberships(MethodView):
    """The memberships of a user."""

    @docs.lists(blp, MEMBERSHIP_DOCUMENTS, paged=False)
    def get(self, pk: int) -> ResponseReturnValue:
        """List a user's memberships in organizations you belong to (not paged)."""
        params = parse_query_params(strict=False)
        views = memberships.user_memberships(db.session(), current_actor(), pk)
        return docs.unpaged(views, params, membership_render.membership)


@blp.route("/<int:pk>/relationships/organizations/")
class UserOrganizationLinks(MethodView):
    """The user's organizations as a relationship (OWNERs change it)."""

    @docs.relates(blp)
    def get(self, pk: int) -> ResponseReturnValue:
        """List the user's organizations that you belong to as well."""
        return self._linkage(pk)

    @docs.relates(blp, organization_render.TYPE)
    def post(self, pk: int) -> ResponseReturnValue:
        """Add the user to organizations you own, as an INSPECTOR."""
        return self._change(pk, members.join)

    @docs.relates(blp, organization_render.TYPE)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Replace the user's organizations among those you belong to."""
        return self._change(pk, members.replace_organizations)

    @docs.relates(blp, organization_render.TYPE)
    def delete(self, pk: int) -> ResponseReturnValue:
        """Remove the user from organizations you own (never their last OWNER)."""
        return self._change(pk, members.leave)

    @staticmethod
    def _linkage(pk: int) -> ResponseReturnValue:
        ids = members.organization_ids(db.session(), current_actor(), pk)
        return render.linkage(organization_render.TYPE, ids)

    @staticmethod
    def _change(
        pk: int, operation: members.UserOrganizationsChange
    ) -> ResponseReturnValue:
        actor = current_actor()
        with transaction() as session:
            directory.get_user(session, actor, pk)  # 401 and 404 before 400
            access.require_owner_somewhere(actor)  # and 403
            org_ids = parse_linkage_document(body(), organization_render.TYPE)
            operation(session, actor, pk, org_ids)
            ids = members.shared_organization_ids(session, actor, pk)
        return render.linkage(organization_render.TYPE, ids)
