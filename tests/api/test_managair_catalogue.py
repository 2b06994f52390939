"""Managair's own test catalogue (spec §13.1 users part, §13.4, §13.7) on imported data.

The people come from the project's Managair-format fixtures
(tests/support/managair_data.py) through ``flask import managair``'s importer,
the inventory rows through the factories with the fixture's ids
(tests/support/managair.py). Where the reference asserted one of
its defects (§15), the test asserts the fix and says so in its name.
"""

from __future__ import annotations

from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from app.services.accounts.passwords import needs_rehash, verify_password
from tests.support.auth import auth_headers
from tests.support.managair import PEOPLE, load_world, user
from tests.support.refusals import assert_refused

JSONAPI = "application/vnd.api+json"


@pytest.fixture
def world(session: Session) -> Session:
    """Managair's demo world in the test's transaction (committed to its savepoint)."""
    load_world(session)
    session.commit()
    return session


def as_(session: Session, username: str) -> dict[str, str]:
    """Headers authenticating as an imported user."""
    return auth_headers(session, user(session, username))


def body(resp: Any) -> dict[str, Any]:
    """The JSON body of a response (asserting there is one)."""
    assert resp.json is not None, resp.get_data(as_text=True)
    data: dict[str, Any] = resp.json
    return data


def ids(resp: Any) -> list[str]:
    """The ids of a list response's primary data."""
    return [item["id"] for item in body(resp)["data"]]


# -- §13.1 AuthenticationTestCase: the users part ----------------------------------


@pytest.mark.parametrize(("username", "pair"), PEOPLE.items())
def test_imported_user_password_verifies_and_asks_for_rehash(
    world: Session, username: str, pair: tuple[int, str]
) -> None:
    pk, password = pair

    stored = world.get(User, pk)

    assert stored is not None
    assert stored.username == username
    assert verify_password(stored.password_hash, password)
    assert not verify_password(stored.password_hash, password + "x")
    assert needs_rehash(stored.password_hash)


def test_imported_email_addresses_are_verified_except_admins(world: Session) -> None:
    verified = {u.username: u.email_verified for u in world.query(User)}

    assert verified.pop("admin") is False
    assert set(verified.values()) == {True}
    assert user(world, "annaAngestellte").email == "anna@angestellte.de"


def test_authenticated_request_without_token_is_401_with_token_200(
    client: FlaskClient, world: Session
) -> None:
    anonymous = assert_refused(client, "GET", "/api/v1/users/", 401, unchanged=())
    authenticated = client.get("/api/v1/users/", headers=as_(world, "annaAngestellte"))

    assert anonymous.headers["WWW-Authenticate"].startswith("Token")
    assert authenticated.status_code == 200


# -- §13.4 OrganizationTestCase (tom) ------------------------------------------------


def test_get_organizations(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/organizations/", headers=as_(world, "tomTester"))

    assert resp.status_code == 200
    assert resp.mimetype == JSONAPI
    assert sorted(ids(resp)) == ["1", "2", "3"]


def test_get_organizations_public(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/organizations/")

    assert resp.status_code == 200
    assert ids(resp) == ["2"]


def test_get_organization(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/organizations/1/", headers=as_(world, "tomTester"))

    assert resp.status_code == 200
    assert body(resp)["data"]["attributes"]["name"] == "Test-Team"


def test_patch_organization(client: FlaskClient, world: Session) -> None:
    doc = {
        "data": {
            "type": "Organization",
            "id": "1",
            "attributes": {"description": "Neue Beschreibung"},
        }
    }

    resp = client.patch(
        "/api/v1/organizations/1/", json=doc, headers=as_(world, "tomTester")
    )

    assert resp.status_code == 200
    assert body(resp)["data"]["attributes"]["description"] == "Neue Beschreibung"
    assert body(resp)["data"]["attributes"]["name"] == "Test-Team"


def test_create_get_delete_organization(client: FlaskClient, world: Session) -> None:
    headers = as_(world, "tomTester")
    doc = {"data": {"type": "Organization", "attributes": {"name": "Temp-Testers"}}}

    created = client.post("/api/v1/organizations/", json=doc, headers=headers)
    url = body(created)["data"]["links"]["self"]
    fetched = client.get(url, headers=headers)
    deleted = client.delete(url, headers=headers)
    gone = client.get(url, headers=headers)

    assert created.status_code == 201
    assert int(body(created)["data"]["id"]) > 3  # the sequence moved past the import
    assert fetched.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_create_organization_makes_the_creator_owner(
    client: FlaskClient, world: Session
) -> None:
    headers = as_(world, "tomTester")
    doc = {"data": {"type": "Organization", "attributes": {"name": "Temp-Testers"}}}

    created = client.post("/api/v1/organizations/", json=doc, headers=headers)
    org_id = body(created)["data"]["id"]
    mine = client.get(
        f"/api/v1/memberships/?filter[organization]={org_id}", headers=headers
    )

    assert [m["attributes"]["role"] for m in body(mine)["data"]] == ["O"]
    assert body(mine)["data"][0]["relationships"]["user"]["data"]["id"] == "2"


def test_get_organization_users(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/organizations/1/users/", headers=as_(world, "tomTester"))

    assert resp.status_code == 200
    assert sorted(ids(resp)) == ["2", "5", "6", "7"]


def test_get_organization_memberships(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/organizations/1/memberships/", headers=as_(world, "tomTester")
    )

    assert resp.status_code == 200
    assert len(body(resp)["data"]) == 4


def test_get_organization_user_relationships(
    client: FlaskClient, world: Session
) -> None:
    resp = client.get(
        "/api/v1/organizations/1/relationships/users/", headers=as_(world, "tomTester")
    )

    assert resp.status_code == 200
    assert body(resp)["data"] == [
        {"type": "User", "id": i} for i in ("2", "5", "6", "7")
    ]


def test_add_get_delete_user_relationship_after_an_email_lookup_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair added any user id; now a stranger must be found by their exact
    # e-mail address first (como-ui's way), or ids could be walked.
    headers = as_(world, "tomTester")
    url = "/api/v1/organizations/1/relationships/users/"
    horst = {"data": [{"type": "User", "id": "4"}]}

    unknown = client.post(url, json=horst, headers=headers)
    client.get("/api/v1/users/?filter[search]=horst@hilfsarbeiter.de", headers=headers)
    added = client.post(url, json=horst, headers=headers)
    after_add = client.get(url, headers=headers)
    removed = client.delete(url, json=horst, headers=headers)
    after_remove = client.get(url, headers=headers)

    assert unknown.status_code == 400
    assert added.status_code == 200
    assert {"type": "User", "id": "4"} in body(after_add)["data"]
    assert removed.status_code == 200
    assert {"type": "User", "id": "4"} not in body(after_remove)["data"]


def test_add_user_relationship_by_non_owner_is_403_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair let any authenticated user do this (spec §4.4, §15 #1).
    assert_refused(
        client,
        "POST",
        "/api/v1/organizations/1/relationships/users/",
        403,
        json={"data": [{"type": "User", "id": "4"}]},
        headers=as_(world, "annaAngestellte"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_remove_user_relationship_by_outsider_is_404_fixed(
    client: FlaskClient, world: Session
) -> None:
    assert_refused(
        client,
        "DELETE",
        "/api/v1/organizations/1/relationships/users/",
        404,
        json={"data": [{"type": "User", "id": "2"}]},
        headers=as_(world, "horstHilfsarbeiter"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_remove_last_owner_by_relationship_is_409_fixed(
    client: FlaskClient, world: Session
) -> None:
    resp = client.delete(
        "/api/v1/organizations/1/relationships/users/",
        json={"data": [{"type": "User", "id": "2"}]},
        headers=as_(world, "tomTester"),
    )

    assert resp.status_code == 409
    assert "owner" in body(resp)["errors"][0]["detail"]


def test_get_organization_nodes(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/organizations/1/nodes/", headers=as_(world, "tomTester"))

    assert resp.status_code == 200
    assert ids(resp) == ["c727b2f8-8377-d4cb-0e95-ac03200b8c93"]


def test_get_organization_sites(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/organizations/1/sites/", headers=as_(world, "tomTester"))

    assert resp.status_code == 200
    assert ids(resp) == ["1"]


def test_unauthorized_patch_no_member(client: FlaskClient, world: Session) -> None:
    doc = {"data": {"type": "Organization", "id": "1", "attributes": {"name": "X"}}}

    assert_refused(
        client,
        "PATCH",
        "/api/v1/organizations/1/",
        404,
        json=doc,
        headers=as_(world, "horstHilfsarbeiter"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_unauthorized_patch_no_owner(client: FlaskClient, world: Session) -> None:
    doc = {"data": {"type": "Organization", "id": "1", "attributes": {"name": "X"}}}

    assert_refused(
        client,
        "PATCH",
        "/api/v1/organizations/1/",
        403,
        json=doc,
        headers=as_(world, "ingoInspekteur"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_public_organization_hides_members_from_anonymous_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair listed member ids and, with include=users, e-mails and names.
    resp = client.get("/api/v1/organizations/2/?include=users")

    assert resp.status_code == 200
    users = body(resp)["data"]["relationships"]["users"]
    assert "data" not in users
    assert "included" not in body(resp)
    assert "vera@versuch.de" not in resp.get_data(as_text=True)


# -- §13.7 UsersTestCase (vera) ------------------------------------------------------


def test_get_users_only_those_sharing_an_organization_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair listed all 7 users; vera shares Versuchsverbund with 3 others.
    resp = client.get("/api/v1/users/", headers=as_(world, "veraVersuch"))

    assert resp.status_code == 200
    assert ids(resp) == ["3", "4", "6", "7"]
    assert set(body(resp)["data"][0]["attributes"]) == {"username"}


def test_get_users_search_finds_visible_users(
    client: FlaskClient, world: Session
) -> None:
    resp = client.get(
        "/api/v1/users/?filter[search]=ingo", headers=as_(world, "veraVersuch")
    )

    assert [u["attributes"]["username"] for u in body(resp)["data"]] == [
        "ingoInspekteur"
    ]


def test_get_users_search_by_name_hides_strangers_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair found tomTester for vera although they share no organization.
    resp = client.get(
        "/api/v1/users/?filter[search]=tom", headers=as_(world, "veraVersuch")
    )

    assert resp.status_code == 200
    assert body(resp)["data"] == []


def test_get_users_search_by_exact_email_finds_stranger_username_only(
    client: FlaskClient, world: Session
) -> None:
    resp = client.get(
        "/api/v1/users/?filter[search]=Tom.Tester@test.de",
        headers=as_(world, "veraVersuch"),
    )

    assert resp.status_code == 200
    assert [(u["id"], u["attributes"]) for u in body(resp)["data"]] == [
        ("2", {"username": "tomTester"})
    ]


def test_get_users_in_organization(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/users/?filter[organization]=2", headers=as_(world, "veraVersuch")
    )

    assert ids(resp) == ["3", "4", "6", "7"]


def test_get_users_in_foreign_organization_is_empty_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair listed the members of any organization (spec §4.3 leaks).
    resp = client.get(
        "/api/v1/users/?filter[organization]=3", headers=as_(world, "veraVersuch")
    )

    assert resp.status_code == 200
    assert ids(resp) == []


def test_get_user(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/users/3/", headers=as_(world, "veraVersuch"))

    attributes = body(resp)["data"]["attributes"]
    assert attributes["username"] == "veraVersuch"
    assert attributes["email"] == "vera@versuch.de"


def test_get_user_organizations(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/users/3/organizations/", headers=as_(world, "veraVersuch")
    )

    assert resp.status_code == 200
    assert [o["attributes"]["name"] for o in body(resp)["data"]] == ["Versuchsverbund"]


def test_get_user_sharing_no_organization_is_404_fixed(
    client: FlaskClient, world: Session
) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/users/2/",
        404,
        headers=as_(world, "veraVersuch"),
        unchanged=("organizations", "memberships", "users"),
    )


# -- §13.7 MembershipsTestCase (priska) ---------------------------------------------


def test_get_memberships(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/memberships/", headers=as_(world, "priskaPrueferin"))

    assert len(body(resp)["data"]) == 8


def test_get_membership_in_organization(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/memberships/?filter[organization]=2",
        headers=as_(world, "priskaPrueferin"),
    )

    assert len(body(resp)["data"]) == 4


def test_get_membership_per_username(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/memberships/?filter[username]=ingoInspekteur",
        headers=as_(world, "priskaPrueferin"),
    )

    assert sorted(ids(resp)) == ["8", "9"]


def test_get_membership_per_user(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/memberships/?filter[user]=6", headers=as_(world, "priskaPrueferin")
    )

    assert sorted(ids(resp)) == ["8", "9"]


def test_get_membership(client: FlaskClient, world: Session) -> None:
    resp = client.get("/api/v1/memberships/15/", headers=as_(world, "priskaPrueferin"))

    # Managair's three attributes, plus this server's alert-mail preference.
    assert body(resp)["data"]["attributes"] == {
        "role": "O",
        "user_name": "priskaPrueferin",
        "organization_name": "Versuchsverbund",
        "notify_alerts": False,
    }


def test_patch_membership(client: FlaskClient, world: Session) -> None:
    doc = {"data": {"type": "Membership", "id": "15", "attributes": {"role": "I"}}}

    resp = client.patch(
        "/api/v1/memberships/15/", json=doc, headers=as_(world, "priskaPrueferin")
    )

    assert resp.status_code == 200
    assert body(resp)["data"]["attributes"]["role"] == "I"


def test_create_get_delete_membership(client: FlaskClient, world: Session) -> None:
    headers = as_(world, "priskaPrueferin")
    doc = {
        "data": {
            "type": "Membership",
            "attributes": {"role": "I"},
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": "2"}},
                "user": {"data": {"type": "User", "id": "5"}},
            },
        }
    }

    created = client.post("/api/v1/memberships/", json=doc, headers=headers)
    url = body(created)["data"]["links"]["self"]
    fetched = client.get(url, headers=headers)
    deleted = client.delete(url, headers=headers)
    gone = client.get(url, headers=headers)

    assert created.status_code == 201
    relationships = body(created)["data"]["relationships"]
    assert relationships["organization"]["data"]["id"] == "2"
    assert relationships["user"]["data"]["id"] == "5"
    assert fetched.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_create_duplicate_membership_is_409_fixed(
    client: FlaskClient, world: Session
) -> None:
    doc = {
        "data": {
            "type": "Membership",
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": "2"}},
                "user": {"data": {"type": "User", "id": "4"}},
            },
        }
    }

    resp = client.post(
        "/api/v1/memberships/", json=doc, headers=as_(world, "priskaPrueferin")
    )

    assert resp.status_code == 409
    assert body(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/user"


def test_get_membership_user(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/memberships/15/user/", headers=as_(world, "priskaPrueferin")
    )

    assert body(resp)["data"]["attributes"]["username"] == "priskaPrueferin"


def test_get_membership_organization(client: FlaskClient, world: Session) -> None:
    resp = client.get(
        "/api/v1/memberships/15/organization/", headers=as_(world, "priskaPrueferin")
    )

    assert body(resp)["data"]["attributes"]["name"] == "Versuchsverbund"


def _membership_doc(user_id: str, org_id: str) -> dict[str, Any]:
    return {
        "data": {
            "type": "Membership",
            "attributes": {"role": "I"},
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": org_id}},
                "user": {"data": {"type": "User", "id": user_id}},
            },
        }
    }


def test_unauthorized_create_membership_no_member(
    client: FlaskClient, world: Session
) -> None:
    assert_refused(
        client,
        "POST",
        "/api/v1/memberships/",
        403,
        json=_membership_doc("5", "2"),
        headers=as_(world, "tomTester"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_unauthorized_add_membership_no_member(
    client: FlaskClient, world: Session
) -> None:
    assert_refused(
        client,
        "POST",
        "/api/v1/memberships/",
        403,
        json=_membership_doc("2", "2"),
        headers=as_(world, "tomTester"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_unauthorized_leave_organization(client: FlaskClient, world: Session) -> None:
    assert_refused(
        client,
        "DELETE",
        "/api/v1/memberships/16/",
        403,
        headers=as_(world, "priskaPrueferin"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_unauthorized_role_change_no_owner(client: FlaskClient, world: Session) -> None:
    doc = {"data": {"type": "Membership", "id": "16", "attributes": {"role": "O"}}}

    assert_refused(
        client,
        "PATCH",
        "/api/v1/memberships/16/",
        403,
        json=doc,
        headers=as_(world, "priskaPrueferin"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_demote_last_owner_is_409_fixed(client: FlaskClient, world: Session) -> None:
    doc = {"data": {"type": "Membership", "id": "4", "attributes": {"role": "I"}}}

    resp = client.patch(
        "/api/v1/memberships/4/", json=doc, headers=as_(world, "tomTester")
    )

    assert resp.status_code == 409
    assert body(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/role"


def test_delete_last_owner_is_409_fixed(client: FlaskClient, world: Session) -> None:
    assert_refused(
        client,
        "DELETE",
        "/api/v1/memberships/4/",
        409,
        headers=as_(world, "tomTester"),
        unchanged=("organizations", "memberships", "users"),
    )


def test_move_membership_to_organization_not_owned_is_403_fixed(
    client: FlaskClient, world: Session
) -> None:
    # Managair moved it (spec §4.4): priska owns org 2 but only inspects org 1.
    doc = {
        "data": {
            "type": "Membership",
            "id": "6",
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": "1"}}
            },
        }
    }

    assert_refused(
        client,
        "PATCH",
        "/api/v1/memberships/6/",
        403,
        json=doc,
        headers=as_(world, "priskaPrueferin"),
        unchanged=("organizations", "memberships", "users"),
    )
