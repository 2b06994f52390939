"""/api/v1/users/: shapes, filters, the e-mail lookup and the organizations relationship."""

from __future__ import annotations

from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Membership, Organization, Role, User
from tests.factories import make_membership, make_organization, make_user
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

JSONAPI = "application/vnd.api+json"


def team(session: Session) -> tuple[User, User, Organization]:
    """An OWNER and an INSPECTOR of one organization."""
    owner = make_user(session, username="olga", email="olga@example.org")
    mate = make_user(
        session, username="mats", email="mats@example.org", first_name="Mats"
    )
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    make_membership(session, mate, org)
    return owner, mate, org


def data(resp: Any) -> Any:
    """The primary data of a response."""
    assert resp.json is not None, resp.get_data(as_text=True)
    return resp.json["data"]


def test_user_detail_has_the_reference_shape(
    client: FlaskClient, session: Session
) -> None:
    owner, mate, _ = team(session)

    resp = client.get(f"/api/v1/users/{mate.id}", headers=auth_headers(session, owner))

    base = f"http://localhost/api/v1/users/{mate.id}/"
    assert resp.status_code == 200
    assert resp.mimetype == JSONAPI
    assert data(resp) == {
        "type": "User",
        "id": str(mate.id),
        "attributes": {
            "username": "mats",
            "email": "mats@example.org",
            "first_name": "Mats",
            "last_name": "",
        },
        "relationships": {
            "organizations": {
                "links": {
                    "self": base + "relationships/organizations/",
                    "related": base + "organizations/",
                }
            },
            "memberships": {"links": {"related": base + "memberships/"}},
        },
        "links": {"self": base},
    }


def test_user_without_organizations_sees_only_themselves(
    client: FlaskClient, session: Session
) -> None:
    team(session)
    lonely = make_user(session)

    resp = client.get("/api/v1/users/", headers=auth_headers(session, lonely))

    assert [u["id"] for u in data(resp)] == [str(lonely.id)]


def test_search_terms_must_all_match(client: FlaskClient, session: Session) -> None:
    owner, mate, _ = team(session)

    both = client.get(
        "/api/v1/users/?filter[search]=ma, example",
        headers=auth_headers(session, owner),
    )
    none = client.get(
        "/api/v1/users/?filter[search]=mats olga", headers=auth_headers(session, owner)
    )

    assert [u["id"] for u in data(both)] == [str(mate.id)]
    assert data(none) == []


def test_search_treats_like_wildcards_literally(
    client: FlaskClient, session: Session
) -> None:
    owner, _, _ = team(session)

    resp = client.get(
        "/api/v1/users/?filter[search]=%25", headers=auth_headers(session, owner)
    )

    assert data(resp) == []


def test_email_lookup_reveals_username_but_not_the_detail(
    client: FlaskClient, session: Session
) -> None:
    owner, _, _ = team(session)
    stranger = make_user(session, username="sven", email="sven@example.org")
    headers = auth_headers(session, owner)

    found = client.get(
        "/api/v1/users/?filter[search]=sven@example.org", headers=headers
    )
    detail = client.get(f"/api/v1/users/{stranger.id}/", headers=headers)

    assert [(u["id"], u["attributes"]) for u in data(found)] == [
        (str(stranger.id), {"username": "sven"})
    ]
    assert "sven@example.org" not in found.get_data(as_text=True)
    assert detail.status_code == 404


def test_email_lookup_then_membership_post_adds_a_member(
    client: FlaskClient, session: Session
) -> None:
    owner, _, org = team(session)
    stranger = make_user(session, email="new@example.org")
    headers = auth_headers(session, owner)

    found = client.get("/api/v1/users?filter[search]=new@example.org", headers=headers)
    user_id = data(found)[0]["id"]
    added = client.post(
        "/api/v1/memberships/",
        json={
            "data": {
                "type": "Membership",
                "attributes": {},
                "relationships": {
                    "organization": {
                        "data": {"type": "Organization", "id": str(org.id)}
                    },
                    "user": {"data": {"type": "User", "id": user_id}},
                },
            }
        },
        headers=headers,
    )
    detail = client.get(f"/api/v1/users/{user_id}", headers=headers)

    assert user_id == str(stranger.id)
    assert added.status_code == 201
    assert data(added)["attributes"]["role"] == "I"
    assert detail.status_code == 200


def test_organization_filter_must_be_an_integer(
    client: FlaskClient, session: Session
) -> None:
    owner, _, _ = team(session)

    resp = client.get(
        "/api/v1/users/?filter[organization]=abc", headers=auth_headers(session, owner)
    )

    assert resp.status_code == 400
    assert resp.json is not None
    assert resp.json["errors"][0]["source"] == {"parameter": "filter[organization]"}


def test_include_on_users_is_400(client: FlaskClient, session: Session) -> None:
    owner, _, _ = team(session)

    assert_refused(
        client,
        "GET",
        "/api/v1/users/?include=organizations",
        400,
        headers=auth_headers(session, owner),
        unchanged=("users", "memberships"),
        parameter="include",
    )


def test_user_memberships_lists_those_in_shared_organizations(
    client: FlaskClient, session: Session
) -> None:
    owner, mate, org = team(session)
    make_membership(session, mate, make_organization(session))

    resp = client.get(
        f"/api/v1/users/{mate.id}/memberships/", headers=auth_headers(session, owner)
    )

    assert resp.status_code == 200
    assert resp.json is not None
    assert "meta" not in resp.json
    assert [m["relationships"]["organization"]["data"]["id"] for m in data(resp)] == [
        str(org.id)
    ]


def test_relationship_post_adds_user_to_an_owned_organization(
    client: FlaskClient, session: Session
) -> None:
    owner, mate, _ = team(session)
    second = make_organization(session)
    make_membership(session, owner, second, Role.OWNER)

    resp = client.post(
        f"/api/v1/users/{mate.id}/relationships/organizations/",
        json={"data": [{"type": "Organization", "id": str(second.id)}]},
        headers=auth_headers(session, owner),
    )

    assert resp.status_code == 200
    assert {"type": "Organization", "id": str(second.id)} in data(resp)
    role = session.scalar(
        select(Membership.role).where(
            Membership.user_id == mate.id, Membership.organization_id == second.id
        )
    )
    assert role == Role.INSPECTOR


def test_relationship_delete_of_last_owner_is_409(
    client: FlaskClient, session: Session
) -> None:
    owner, _, org = team(session)

    assert_refused(
        client,
        "DELETE",
        f"/api/v1/users/{owner.id}/relationships/organizations/",
        409,
        json={"data": [{"type": "Organization", "id": str(org.id)}]},
        headers=auth_headers(session, owner),
        unchanged=("users", "memberships"),
    )


def test_relationship_patch_leaves_unknown_organizations_alone(
    client: FlaskClient, session: Session
) -> None:
    owner, mate, _ = team(session)
    hidden = make_organization(session)
    make_membership(session, mate, hidden)

    resp = client.patch(
        f"/api/v1/users/{mate.id}/relationships/organizations/",
        json={"data": []},
        headers=auth_headers(session, owner),
    )

    assert resp.status_code == 200
    assert data(resp) == []
    remaining = session.scalars(
        select(Membership.organization_id).where(Membership.user_id == mate.id)
    ).all()
    assert remaining == [hidden.id]


@pytest.mark.parametrize(
    ("org_id", "pointer"), [("999999", "/data"), ("abc", "/data/0/id")]
)
def test_relationship_post_of_bad_organization_is_400(
    client: FlaskClient, session: Session, org_id: str, pointer: str
) -> None:
    owner, mate, _ = team(session)

    assert_refused(
        client,
        "POST",
        f"/api/v1/users/{mate.id}/relationships/organizations/",
        400,
        json={"data": [{"type": "Organization", "id": org_id}]},
        headers=auth_headers(session, owner),
        unchanged=("users", "memberships"),
        pointer=pointer,
    )
