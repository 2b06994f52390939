"""Authorization matrix of the tenancy resources (spec §4.5, defects §15.1/3/4/5 fixed).

Actors: anonymous, an authenticated outsider, an INSPECTOR and an OWNER of the
private and the public organization, and a staff user without memberships
(staff has no extra rights in the API). The public organization owns a node
with a public installation. Read-only resources answer 405 to writes, for
everyone. Decisions beyond the reference: member data (member lists,
relationship linkage) is members-only even for public organizations; the
relationship endpoints are read by members and changed by OWNERs only, who
add users they already see (the colleague from their third organization), not
a stranger whose id they merely name (400, as for a missing id).
"""

from __future__ import annotations

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Role
from tests.api.matrix import Case, World, cases, check, delete, get, patch, post, row
from tests.factories import (
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)


def build_world(session: Session) -> World:
    """Two organizations (one public), a third the OWNER alone owns, five actors."""
    owner, inspector, member = (
        make_user(session, username=name) for name in ("owner", "inspector", "member")
    )
    outsider = make_user(session, username="outsider")
    staff = make_user(session, username="staff", is_staff=True)
    stranger = make_user(session, username="stranger")
    colleague = make_user(session, username="colleague")
    private, public, owned = (
        make_organization(session, name=name) for name in ("Private", "Public", "Owned")
    )
    for org in (private, public, owned):
        make_membership(session, owner, org, Role.OWNER)
    for org in (private, public):
        make_membership(session, inspector, org)
    make_membership(session, colleague, owned)  # the OWNER knows them from there
    m_private = make_membership(session, member, private)
    m_public = make_membership(session, member, public)
    room = make_room(session, make_site(session, public))
    make_installation(session, make_node(session, public), room, is_public=True)
    return World(
        actors={
            "anonymous": None,
            "outsider": outsider,
            "inspector": inspector,
            "owner": owner,
            "staff": staff,
        },
        ids={
            "private": private.id,
            "public": public.id,
            "owned": owned.id,
            "member": member.id,
            "stranger": stranger.id,
            "colleague": colleague.id,
            "m_private": m_private.id,
            "m_public": m_public.id,
        },
    )


def _users(*names: str) -> dict[str, list[dict[str, str]]]:
    return {"data": [{"type": "User", "id": "{" + n + "}"} for n in names]}


def _orgs(*names: str) -> dict[str, list[dict[str, str]]]:
    return {"data": [{"type": "Organization", "id": "{" + n + "}"} for n in names]}


def _new_org() -> dict[str, object]:
    return {"data": {"type": "Organization", "attributes": {"name": "Brand-new"}}}


def _org_change(target: str) -> dict[str, object]:
    return {
        "data": {
            "type": "Organization",
            "id": "{" + target + "}",
            "attributes": {"description": "changed"},
        }
    }


def _new_membership(org: str, user: str = "colleague") -> dict[str, object]:
    return {
        "data": {
            "type": "Membership",
            "attributes": {},
            "relationships": {
                "organization": {
                    "data": {"type": "Organization", "id": "{" + org + "}"}
                },
                "user": {"data": {"type": "User", "id": "{" + user + "}"}},
            },
        }
    }


def _membership_change(target: str) -> dict[str, object]:
    return {
        "data": {
            "type": "Membership",
            "id": "{" + target + "}",
            "attributes": {"role": "O"},
        }
    }


ORG = "/api/v1/organizations/{%s}/"
READ_MEMBERS = {
    "anonymous": 401,
    "outsider": 404,
    "inspector": 200,
    "owner": 200,
    "staff": 404,
}
OWNER_ONLY_PRIVATE = {"anonymous": 401, "outsider": 404, "inspector": 403, "staff": 404}
OWNER_ONLY_PUBLIC = {"anonymous": 401, "outsider": 403, "inspector": 403, "staff": 403}
ALL_405 = {
    actor: 405 for actor in ("anonymous", "outsider", "inspector", "owner", "staff")
}

ORGANIZATION_ROWS = [
    row("organizations", "list", "-", get("/api/v1/organizations/"),
        anonymous=200, outsider=200, inspector=200, owner=200, staff=200),
    row("organizations", "read", "private", get(ORG % "private"),
        anonymous=404, outsider=404, inspector=200, owner=200, staff=404),
    row("organizations", "read", "public", get(ORG % "public"),
        anonymous=200, outsider=200, inspector=200, owner=200, staff=200),
    row("organizations", "create", "-", post("/api/v1/organizations/", _new_org()),
        anonymous=401, outsider=201, inspector=201, owner=201, staff=201),
    row("organizations", "update", "private", patch(ORG % "private", _org_change("private")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("organizations", "update", "public", patch(ORG % "public", _org_change("public")),
        **OWNER_ONLY_PUBLIC, owner=200),
    row("organizations", "delete", "private", delete(ORG % "private"),
        **OWNER_ONLY_PRIVATE, owner=204),
    row("organizations", "delete", "public", delete(ORG % "public"),
        **OWNER_ONLY_PUBLIC, owner=204),
    row("organizations", "users", "private", get(ORG % "private" + "users/"),
        **READ_MEMBERS),
    row("organizations", "users", "public", get(ORG % "public" + "users/"),
        anonymous=401, outsider=200, inspector=200, owner=200, staff=200),
    row("organizations", "memberships", "private", get(ORG % "private" + "memberships/"),
        **READ_MEMBERS),
    row("organizations", "memberships", "public", get(ORG % "public" + "memberships/"),
        anonymous=401, outsider=200, inspector=200, owner=200, staff=200),
    row("organizations", "sites", "private", get(ORG % "private" + "sites/"),
        anonymous=404, outsider=404, inspector=200, owner=200, staff=404),
    row("organizations", "sites", "public", get(ORG % "public" + "sites/"),
        anonymous=200, outsider=200, inspector=200, owner=200, staff=200),
    row("organizations", "nodes", "private", get(ORG % "private" + "nodes/"),
        **READ_MEMBERS),
    row("organizations", "nodes", "public", get(ORG % "public" + "nodes/"),
        anonymous=401, outsider=200, inspector=200, owner=200, staff=200),
    row("organizations", "relationship-list", "private",
        get(ORG % "private" + "relationships/users/"), **READ_MEMBERS),
    row("organizations", "relationship-list", "public",
        get(ORG % "public" + "relationships/users/"),
        anonymous=401, outsider=403, inspector=200, owner=200, staff=403),
    row("organizations", "relationship-add", "private",
        post(ORG % "private" + "relationships/users/", _users("colleague")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("organizations", "relationship-add", "public",
        post(ORG % "public" + "relationships/users/", _users("colleague")),
        **OWNER_ONLY_PUBLIC, owner=200),
    row("organizations", "relationship-add-stranger", "private",
        post(ORG % "private" + "relationships/users/", _users("stranger")),
        **OWNER_ONLY_PRIVATE, owner=400),
    row("organizations", "relationship-remove", "private",
        delete(ORG % "private" + "relationships/users/", _users("member")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("organizations", "relationship-remove", "public",
        delete(ORG % "public" + "relationships/users/", _users("member")),
        **OWNER_ONLY_PUBLIC, owner=200),
    row("organizations", "relationship-replace", "private",
        patch(ORG % "private" + "relationships/users/", _users("member")), **ALL_405),
]  # fmt: skip

USER = "/api/v1/users/{member}/"
USER_ROWS = [
    row("users", "list", "-", get("/api/v1/users/"),
        anonymous=401, outsider=200, inspector=200, owner=200, staff=200),
    row("users", "read", "member", get(USER), **READ_MEMBERS),
    row("users", "create", "-", post("/api/v1/users/", {"data": {"type": "User"}}),
        **ALL_405),
    row("users", "update", "member", patch(USER, {"data": {"type": "User", "id": "{member}"}}),
        **ALL_405),
    row("users", "delete", "member", delete(USER), **ALL_405),
    row("users", "organizations", "member", get(USER + "organizations/"), **READ_MEMBERS),
    row("users", "memberships", "member", get(USER + "memberships/"), **READ_MEMBERS),
    row("users", "relationship-list", "member",
        get(USER + "relationships/organizations/"), **READ_MEMBERS),
    row("users", "relationship-add", "member",
        post(USER + "relationships/organizations/", _orgs("owned")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("users", "relationship-remove", "member",
        delete(USER + "relationships/organizations/", _orgs("private")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("users", "relationship-replace", "member",
        patch(USER + "relationships/organizations/", _orgs("public")),
        **OWNER_ONLY_PRIVATE, owner=200),
]  # fmt: skip

MEMBERSHIP = "/api/v1/memberships/{%s}/"
MEMBERSHIP_ROWS = [
    row("memberships", "list", "-", get("/api/v1/memberships/"),
        anonymous=401, outsider=200, inspector=200, owner=200, staff=200),
    row("memberships", "read", "private", get(MEMBERSHIP % "m_private"), **READ_MEMBERS),
    row("memberships", "read", "public", get(MEMBERSHIP % "m_public"), **READ_MEMBERS),
    row("memberships", "create", "private",
        post("/api/v1/memberships/", _new_membership("private")),
        anonymous=401, outsider=403, inspector=403, owner=201, staff=403),
    row("memberships", "create", "public",
        post("/api/v1/memberships/", _new_membership("public")),
        anonymous=401, outsider=403, inspector=403, owner=201, staff=403),
    row("memberships", "create-stranger", "private",
        post("/api/v1/memberships/", _new_membership("private", "stranger")),
        anonymous=401, outsider=403, inspector=403, owner=400, staff=403),
    row("memberships", "update", "private",
        patch(MEMBERSHIP % "m_private", _membership_change("m_private")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("memberships", "update", "public",
        patch(MEMBERSHIP % "m_public", _membership_change("m_public")),
        **OWNER_ONLY_PRIVATE, owner=200),
    row("memberships", "delete", "private", delete(MEMBERSHIP % "m_private"),
        **OWNER_ONLY_PRIVATE, owner=204),
    row("memberships", "delete", "public", delete(MEMBERSHIP % "m_public"),
        **OWNER_ONLY_PRIVATE, owner=204),
    row("memberships", "user", "private", get(MEMBERSHIP % "m_private" + "user/"),
        **READ_MEMBERS),
    row("memberships", "organization", "private",
        get(MEMBERSHIP % "m_private" + "organization/"), **READ_MEMBERS),
]  # fmt: skip


@pytest.mark.parametrize("case", cases(ORGANIZATION_ROWS), ids=str)
def test_organizations_matrix(
    client: FlaskClient, session: Session, case: Case
) -> None:
    check(client, session, build_world(session), case)


@pytest.mark.parametrize("case", cases(USER_ROWS), ids=str)
def test_users_matrix(client: FlaskClient, session: Session, case: Case) -> None:
    check(client, session, build_world(session), case)


@pytest.mark.parametrize("case", cases(MEMBERSHIP_ROWS), ids=str)
def test_memberships_matrix(client: FlaskClient, session: Session, case: Case) -> None:
    check(client, session, build_world(session), case)
