"""/api/v1/memberships/: shapes, validation, moves, includes and the owner invariant."""

from __future__ import annotations

from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Membership, Organization, Role, User
from tests.factories import (
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

JSONAPI = "application/vnd.api+json"


def new_doc(
    user_id: Any, org_id: Any, attributes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A Membership creation document."""
    return {
        "data": {
            "type": "Membership",
            "attributes": attributes or {},
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": str(org_id)}},
                "user": {"data": {"type": "User", "id": str(user_id)}},
            },
        }
    }


def change_doc(membership: Membership, **members: Any) -> dict[str, Any]:
    """A Membership PATCH document."""
    return {"data": {"type": "Membership", "id": str(membership.id), **members}}


def setting(session: Session) -> tuple[User, Organization, Membership, dict[str, str]]:
    """An OWNER's organization with one INSPECTOR; the OWNER's headers."""
    owner = make_user(session)
    org = make_organization(session, name="Alpha")
    make_membership(session, owner, org, Role.OWNER)
    inspector = make_membership(session, make_user(session), org)
    return owner, org, inspector, auth_headers(session, owner)


def colleague(session: Session, of: User) -> User:
    """A user who shares an organization of their own with ``of`` (so ``of`` sees them)."""
    user = make_user(session)
    elsewhere = make_organization(session)
    make_membership(session, of, elsewhere)
    make_membership(session, user, elsewhere)
    return user


def errors(resp: Any) -> list[dict[str, Any]]:
    """The error objects of a response."""
    assert resp.mimetype == JSONAPI
    assert resp.json is not None
    found: list[dict[str, Any]] = resp.json["errors"]
    return found


def test_membership_resource_has_the_reference_shape(
    client: FlaskClient, session: Session
) -> None:
    _, org, inspector, headers = setting(session)

    resp = client.get(f"/api/v1/memberships/{inspector.id}", headers=headers)

    base = f"http://localhost/api/v1/memberships/{inspector.id}/"
    assert resp.json is not None
    assert resp.json["data"] == {
        "type": "Membership",
        "id": str(inspector.id),
        "attributes": {
            "role": "I",
            "user_name": inspector.user.username,
            "organization_name": "Alpha",
            "notify_alerts": False,  # added here: the alert mail preference
        },
        "relationships": {
            "organization": {
                "data": {"type": "Organization", "id": str(org.id)},
                "links": {"related": base + "organization/"},
            },
            "user": {
                "data": {"type": "User", "id": str(inspector.user_id)},
                "links": {"related": base + "user/"},
            },
        },
        "links": {"self": base},
    }


def test_list_orders_inspectors_before_owners(
    client: FlaskClient, session: Session
) -> None:
    _, _, _, headers = setting(session)

    resp = client.get("/api/v1/memberships/", headers=headers)

    assert resp.json is not None
    assert [m["attributes"]["role"] for m in resp.json["data"]] == ["I", "O"]


def test_include_organization_and_user(client: FlaskClient, session: Session) -> None:
    _, org, inspector, headers = setting(session)

    resp = client.get(
        f"/api/v1/memberships/{inspector.id}/?include=organization,user",
        headers=headers,
    )

    assert resp.json is not None
    included = {(r["type"], r["id"]) for r in resp.json["included"]}
    assert included == {("Organization", str(org.id)), ("User", str(inspector.user_id))}


def test_create_with_empty_attributes_defaults_to_inspector(
    client: FlaskClient, session: Session
) -> None:
    owner, org, _, headers = setting(session)
    newcomer = colleague(session, owner)

    resp = client.post(
        "/api/v1/memberships/", json=new_doc(newcomer.id, org.id), headers=headers
    )

    assert resp.status_code == 201
    assert resp.json is not None
    assert resp.json["data"]["attributes"]["role"] == "I"


@pytest.mark.parametrize(
    ("attributes", "pointer", "message"),
    [
        ({"role": "A"}, "/data/attributes/role", '"A" is not a valid choice.'),
        ({"role": None}, "/data/attributes/role", "may not be null"),
    ],
)
def test_create_with_bad_role_is_400(
    client: FlaskClient,
    session: Session,
    attributes: dict[str, Any],
    pointer: str,
    message: str,
) -> None:
    _, org, _, headers = setting(session)

    resp = client.post(
        "/api/v1/memberships/",
        json=new_doc(make_user(session).id, org.id, attributes),
        headers=headers,
    )

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"pointer": pointer}
    assert message in errors(resp)[0]["detail"]


def test_create_without_user_is_400_with_pointer(
    client: FlaskClient, session: Session
) -> None:
    _, org, _, headers = setting(session)
    body = new_doc(1, org.id)
    del body["data"]["relationships"]["user"]

    resp = client.post("/api/v1/memberships/", json=body, headers=headers)

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"pointer": "/data/relationships/user"}


def test_create_for_missing_user_is_400_with_pointer(
    client: FlaskClient, session: Session
) -> None:
    _, org, _, headers = setting(session)

    resp = client.post(
        "/api/v1/memberships/", json=new_doc(999999, org.id), headers=headers
    )

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"pointer": "/data/relationships/user"}


def test_create_with_wrong_relationship_type_is_409(
    client: FlaskClient, session: Session
) -> None:
    _, org, _, headers = setting(session)
    body = new_doc(1, org.id)
    body["data"]["relationships"]["user"]["data"]["type"] = "Organization"

    assert_refused(
        client,
        "POST",
        "/api/v1/memberships/",
        409,
        json=body,
        headers=headers,
        unchanged=("organizations", "memberships"),
        pointer="/data/relationships/user",
    )


def test_move_to_another_owned_organization(
    client: FlaskClient, session: Session
) -> None:
    owner, _, inspector, headers = setting(session)
    other = make_organization(session)
    make_membership(session, owner, other, Role.OWNER)
    body = change_doc(
        inspector,
        relationships={
            "organization": {"data": {"type": "Organization", "id": str(other.id)}}
        },
    )

    resp = client.patch(
        f"/api/v1/memberships/{inspector.id}/", json=body, headers=headers
    )

    assert resp.status_code == 200
    assert resp.json is not None
    assert resp.json["data"]["relationships"]["organization"]["data"]["id"] == str(
        other.id
    )


def test_move_onto_an_existing_membership_is_409(
    client: FlaskClient, session: Session
) -> None:
    owner, _, inspector, headers = setting(session)
    other = make_organization(session)
    make_membership(session, owner, other, Role.OWNER)
    make_membership(session, inspector.user, other)
    body = change_doc(
        inspector,
        relationships={
            "organization": {"data": {"type": "Organization", "id": str(other.id)}}
        },
    )

    assert_refused(
        client,
        "PATCH",
        f"/api/v1/memberships/{inspector.id}/",
        409,
        json=body,
        headers=headers,
        unchanged=("organizations", "memberships"),
        pointer="/data/relationships/user",
    )


def test_moving_own_owner_membership_to_an_owned_organization_is_409(
    client: FlaskClient, session: Session
) -> None:
    # Owning the target means being a member there already.
    owner, org, _, headers = setting(session)
    mine = session.query(Membership).filter_by(user_id=owner.id).one()
    other = make_organization(session)
    make_membership(session, owner, other, Role.OWNER)
    body = change_doc(
        mine,
        relationships={
            "organization": {"data": {"type": "Organization", "id": str(other.id)}}
        },
    )

    assert_refused(
        client,
        "PATCH",
        f"/api/v1/memberships/{mine.id}/",
        409,
        json=body,
        headers=headers,
        unchanged=("organizations", "memberships"),
        pointer="/data/relationships/user",
    )
    assert mine.organization_id == org.id


def test_handing_the_owner_membership_to_another_user_keeps_an_owner(
    client: FlaskClient, session: Session
) -> None:
    owner, _, _, headers = setting(session)
    mine = session.query(Membership).filter_by(user_id=owner.id).one()
    successor = colleague(session, owner)
    body = change_doc(
        mine,
        relationships={"user": {"data": {"type": "User", "id": str(successor.id)}}},
    )

    resp = client.patch(f"/api/v1/memberships/{mine.id}/", json=body, headers=headers)

    assert resp.status_code == 200
    assert resp.json is not None
    assert resp.json["data"]["attributes"]["role"] == "O"
    assert resp.json["data"]["relationships"]["user"]["data"]["id"] == str(successor.id)


def test_owner_may_step_down_when_another_owner_remains(
    client: FlaskClient, session: Session
) -> None:
    owner, _, inspector, headers = setting(session)
    inspector.role = Role.OWNER
    mine = session.query(Membership).filter_by(user_id=owner.id).one()

    resp = client.patch(
        f"/api/v1/memberships/{mine.id}/",
        json=change_doc(mine, attributes={"role": "I"}),
        headers=headers,
    )

    assert resp.status_code == 200


def test_put_needs_both_relationships(client: FlaskClient, session: Session) -> None:
    _, _, inspector, headers = setting(session)

    resp = client.put(
        f"/api/v1/memberships/{inspector.id}/",
        json=change_doc(inspector, attributes={"role": "I"}),
        headers=headers,
    )

    assert resp.status_code == 400
    assert errors(resp)[0]["source"]["pointer"].startswith("/data/relationships/")


def test_filter_user_must_be_an_integer(client: FlaskClient, session: Session) -> None:
    _, _, _, headers = setting(session)

    resp = client.get("/api/v1/memberships/?filter[user]=x", headers=headers)

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"parameter": "filter[user]"}


def test_organization_memberships_of_public_org_are_hidden_from_outsiders(
    client: FlaskClient, session: Session
) -> None:
    _, org, _, _ = setting(session)
    room = make_room(session, make_site(session, org))
    make_installation(session, make_node(session, org), room, is_public=True)
    outsider = auth_headers(session, make_user(session))

    resp = client.get(f"/api/v1/organizations/{org.id}/memberships/", headers=outsider)

    assert resp.status_code == 200
    assert resp.json is not None
    assert resp.json["data"] == []
