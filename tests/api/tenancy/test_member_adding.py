"""Whom an OWNER may add to their organization: only people they already know.

Anyone can sign up and create an organization (becoming its OWNER). Adding a
user by id used to need nothing but an existing id, so an OWNER could walk the
ids, pull strangers into their organization and then read their e-mail address
and names (``GET /api/v1/users/<id>/``). Now an id is accepted for (a) nobody
the OWNER merely names, with the same answer as an id nobody has; (b) a
stranger the OWNER found by their exact e-mail address (como-ui: the search,
then the POST), within the window; (c) a user who shares another organization
with the OWNER. Every path that adds a user is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    LoginFailure,
    MemberLookup,
    Membership,
    Organization,
    Role,
    User,
)
from app.models.types import utcnow
from app.services import access
from app.services.tenancy import lookups
from tests.factories import make_membership, make_organization, make_user
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

MISSING_ID = 2**31 - 1


@dataclass(frozen=True)
class Setting:
    """An OWNER of ``org``; a stranger; a colleague from another organization."""

    owner: User
    org: Organization
    stranger: User
    colleague: User
    headers: dict[str, str]


@dataclass(frozen=True)
class WritePath:
    """One way to add a user: the request, and where its error points."""

    name: str
    method: str
    url: Callable[[Setting], str]
    body: Callable[[Setting, int], dict[str, Any]]
    pointer: str


def _linkage(user_id: int) -> dict[str, Any]:
    return {"data": [{"type": "User", "id": str(user_id)}]}


def _membership(s: Setting, user_id: int) -> dict[str, Any]:
    return {
        "data": {
            "type": "Membership",
            "attributes": {},
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": str(s.org.id)}},
                "user": {"data": {"type": "User", "id": str(user_id)}},
            },
        }
    }


def _org_users(s: Setting, user_id: int) -> dict[str, Any]:
    users = [{"type": "User", "id": str(i)} for i in (s.owner.id, user_id)]
    return {
        "data": {
            "type": "Organization",
            "id": str(s.org.id),
            "relationships": {"users": {"data": users}},
        }
    }


def _new_org(s: Setting, user_id: int) -> dict[str, Any]:
    return {
        "data": {
            "type": "Organization",
            "attributes": {"name": "Lure"},
            "relationships": {"users": _linkage(user_id)},
        }
    }


PATHS = [
    WritePath(
        "relationship-post",
        "POST",
        lambda s: f"/api/v1/organizations/{s.org.id}/relationships/users/",
        lambda s, user_id: _linkage(user_id),
        "/data",
    ),
    WritePath(
        "organization-patch",
        "PATCH",
        lambda s: f"/api/v1/organizations/{s.org.id}/",
        _org_users,
        "/data/relationships/users",
    ),
    WritePath(
        "organization-create",
        "POST",
        lambda s: "/api/v1/organizations/",
        _new_org,
        "/data/relationships/users",
    ),
    WritePath(
        "membership-post",
        "POST",
        lambda s: "/api/v1/memberships/",
        _membership,
        "/data/relationships/user",
    ),
]


def setting(session: Session) -> Setting:
    """The OWNER's organization, a stranger and a colleague; the OWNER's headers."""
    owner = make_user(session)
    org = make_organization(session, name="Evil Org")
    make_membership(session, owner, org, Role.OWNER)
    stranger = make_user(session, username="victor", email="Victor@Victim.example")
    colleague = make_user(session)
    earlier = make_organization(session)
    make_membership(session, owner, earlier)
    make_membership(session, colleague, earlier)
    return Setting(owner, org, stranger, colleague, auth_headers(session, owner))


def send(client: FlaskClient, s: Setting, path: WritePath, user_id: int) -> Any:
    """Add ``user_id`` along ``path`` as the OWNER."""
    return client.open(
        path.url(s), method=path.method, json=path.body(s, user_id), headers=s.headers
    )


def search(client: FlaskClient, s: Setting, term: str) -> list[str]:
    """The ids the OWNER's user search finds."""
    resp = client.get(f"/api/v1/users/?filter[search]={term}", headers=s.headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json is not None
    return [u["id"] for u in resp.json["data"]]


def is_member(session: Session, user: User) -> bool:
    """Whether ``user`` joined the OWNER's organization (or the one just made)."""
    joined = select(Membership.id).join(Organization)
    return (
        session.scalar(
            joined.where(
                Membership.user_id == user.id,
                Organization.name.in_(("Evil Org", "Lure")),
            )
        )
        is not None
    )


def _refusal(resp: Any, user_id: int) -> list[dict[str, Any]]:
    """The error document with the id named in it blanked out."""
    assert resp.json is not None, resp.get_data(as_text=True)
    return [
        {**e, "detail": e["detail"].replace(str(user_id), "<id>")}
        for e in resp.json["errors"]
    ]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_a_stranger_named_by_id_is_refused_like_a_missing_id(
    client: FlaskClient, session: Session, path: WritePath
) -> None:
    s = setting(session)

    stranger = assert_refused(
        client,
        path.method,
        path.url(s),
        400,
        pointer=path.pointer,
        unchanged=("memberships", "organizations"),
        json=path.body(s, s.stranger.id),
        headers=s.headers,
    )
    missing = send(client, s, path, MISSING_ID)
    detail = client.get(f"/api/v1/users/{s.stranger.id}/", headers=s.headers)

    assert missing.status_code == 400
    assert _refusal(stranger, s.stranger.id) == _refusal(missing, MISSING_ID)
    assert "e-mail address" in _refusal(stranger, s.stranger.id)[0]["detail"]
    assert detail.status_code == 404
    assert "Victim" not in detail.get_data(as_text=True)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_a_stranger_found_by_exact_email_may_be_added(
    client: FlaskClient, session: Session, path: WritePath
) -> None:
    s = setting(session)

    found = search(client, s, "victor@victim.EXAMPLE")  # case does not matter
    resp = send(client, s, path, int(found[0]))
    detail = client.get(f"/api/v1/users/{s.stranger.id}/", headers=s.headers)

    assert found == [str(s.stranger.id)]
    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    assert is_member(session, s.stranger)
    assert detail.status_code == 200


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_a_user_sharing_another_organization_may_be_added(
    client: FlaskClient, session: Session, path: WritePath
) -> None:
    s = setting(session)

    resp = send(client, s, path, s.colleague.id)

    assert resp.status_code in (200, 201), resp.get_data(as_text=True)
    assert is_member(session, s.colleague)


def test_moving_a_membership_to_a_stranger_is_refused(
    client: FlaskClient, session: Session
) -> None:
    s = setting(session)
    second_owner = make_membership(session, s.colleague, s.org, Role.OWNER)
    body = {
        "data": {
            "type": "Membership",
            "id": str(second_owner.id),
            "relationships": {
                "user": {"data": {"type": "User", "id": str(s.stranger.id)}}
            },
        }
    }

    assert_refused(
        client,
        "PATCH",
        f"/api/v1/memberships/{second_owner.id}/",
        400,
        pointer="/data/relationships/user",
        unchanged=("memberships",),
        json=body,
        headers=s.headers,
    )


@pytest.mark.parametrize(
    "term",
    ["victor", "victim.example", "victor@victim", " victor@victim.example,x"],
)
def test_a_search_that_is_no_exact_address_allows_nothing(
    client: FlaskClient, session: Session, term: str
) -> None:
    s = setting(session)

    found = search(client, s, term)
    resp = send(client, s, PATHS[-1], s.stranger.id)

    assert found == []
    assert resp.status_code == 400


def test_another_users_find_allows_nothing(
    client: FlaskClient, session: Session
) -> None:
    s = setting(session)
    accomplice = make_user(session)
    accomplice_headers = auth_headers(session, accomplice)

    found = client.get(
        "/api/v1/users/?filter[search]=victor@victim.example",
        headers=accomplice_headers,
    )
    resp = send(client, s, PATHS[-1], s.stranger.id)

    assert found.json is not None
    assert [u["id"] for u in found.json["data"]] == [str(s.stranger.id)]
    assert resp.status_code == 400


def test_a_find_expires_with_the_window(client: FlaskClient, session: Session) -> None:
    s = setting(session)
    owner = access.actor_for(session, s.owner)
    window = timedelta(seconds=client.application.config["MEMBER_LOOKUP_WINDOW_S"])
    lookups.record(session, owner, [s.stranger.id], utcnow() - window)

    stale = send(client, s, PATHS[-1], s.stranger.id)
    lookups.record(session, owner, [s.stranger.id], utcnow() - window / 2)
    fresh = send(client, s, PATHS[-1], s.stranger.id)

    assert stale.status_code == 400
    assert fresh.status_code == 201


def test_the_window_is_its_own_setting(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = setting(session)
    owner = access.actor_for(session, s.owner)
    monkeypatch.setitem(client.application.config, "LOGIN_RATE_LIMIT_WINDOW_S", 900)
    monkeypatch.setitem(client.application.config, "MEMBER_LOOKUP_WINDOW_S", 60)
    lookups.record(session, owner, [s.stranger.id], utcnow() - timedelta(seconds=90))

    resp = send(client, s, PATHS[-1], s.stranger.id)

    assert resp.status_code == 400


def test_a_find_is_one_row_of_who_found_whom_and_when(
    client: FlaskClient, session: Session
) -> None:
    s = setting(session)
    counters = session.scalar(select(func.count()).select_from(LoginFailure))

    search(client, s, "victor@victim.example")
    first = session.execute(select(MemberLookup.__table__)).all()
    search(client, s, "victor@victim.example")
    again = session.execute(select(MemberLookup.__table__)).all()

    assert [(r.finder_id, r.user_id) for r in first] == [(s.owner.id, s.stranger.id)]
    assert [(r.finder_id, r.user_id) for r in again] == [(s.owner.id, s.stranger.id)]
    assert again[0].found_at > first[0].found_at
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == counters


def test_a_users_finds_go_with_the_user(client: FlaskClient, session: Session) -> None:
    s = setting(session)
    search(client, s, "victor@victim.example")
    other = make_user(session)
    lookups.record(session, access.actor_for(session, other), [s.owner.id])

    session.delete(s.stranger)
    session.flush()
    left = session.execute(select(MemberLookup.__table__)).all()

    assert [(r.finder_id, r.user_id) for r in left] == [(other.id, s.owner.id)]


def test_a_found_user_deactivated_since_is_refused(
    client: FlaskClient, session: Session
) -> None:
    s = setting(session)
    search(client, s, "victor@victim.example")
    s.stranger.is_active = False
    session.commit()

    resp = send(client, s, PATHS[-1], s.stranger.id)

    assert resp.status_code == 400


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_strangers_organizations_cannot_be_joined_from_their_side(
    client: FlaskClient, session: Session, method: str
) -> None:
    s = setting(session)
    body = {"data": [{"type": "Organization", "id": str(s.org.id)}]}

    stranger = assert_refused(
        client,
        method,
        f"/api/v1/users/{s.stranger.id}/relationships/organizations/",
        404,
        unchanged=("memberships",),
        json=body,
        headers=s.headers,
    )
    missing = client.open(
        f"/api/v1/users/{MISSING_ID}/relationships/organizations/",
        method=method,
        json=body,
        headers=s.headers,
    )

    assert missing.status_code == 404
    assert _refusal(stranger, s.stranger.id) == _refusal(missing, MISSING_ID)
