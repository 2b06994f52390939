"""/api/v1/organizations/: shapes, validation, member sets and includes."""

from __future__ import annotations

from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select
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


def doc(attributes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An Organization request document."""
    return {"data": {"type": "Organization", "attributes": attributes, **extra}}


def owned(session: Session) -> tuple[User, Organization, dict[str, str]]:
    """An OWNER, their organization and their headers."""
    owner = make_user(session)
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    return owner, org, auth_headers(session, owner)


def errors(resp: Any) -> list[dict[str, Any]]:
    """The error objects of a response."""
    assert resp.mimetype == JSONAPI
    assert resp.json is not None
    found: list[dict[str, Any]] = resp.json["errors"]
    return found


def test_organization_resource_has_the_reference_shape(
    client: FlaskClient, session: Session
) -> None:
    owner, org, headers = owned(session)

    resp = client.get(f"/api/v1/organizations/{org.id}/", headers=headers)

    assert resp.status_code == 200
    assert resp.mimetype == JSONAPI
    data = resp.json["data"] if resp.json else {}
    base = f"http://localhost/api/v1/organizations/{org.id}/"
    assert data["type"] == "Organization"
    assert data["id"] == str(org.id)
    assert data["attributes"] == {"name": org.name, "description": None}
    assert data["relationships"] == {
        "users": {
            "data": [{"type": "User", "id": str(owner.id)}],
            "links": {"related": base + "users/"},
            "meta": {"count": 1},
        },
        "memberships": {"links": {"related": base + "memberships/"}},
        "sites": {"links": {"related": base + "sites/"}},
        "nodes": {"links": {"related": base + "nodes/"}},
    }
    assert data["links"] == {"self": base}


def test_list_without_page_size_returns_everything_with_meta(
    client: FlaskClient, session: Session
) -> None:
    owner = make_user(session)
    for _ in range(3):
        make_membership(session, owner, make_organization(session))

    resp = client.get("/api/v1/organizations/", headers=auth_headers(session, owner))

    assert resp.json is not None
    assert len(resp.json["data"]) == 3
    assert resp.json["meta"] == {"pagination": {"page": 1, "pages": 1, "count": 3}}


def test_list_pages_with_page_size(client: FlaskClient, session: Session) -> None:
    owner = make_user(session)
    for _ in range(3):
        make_membership(session, owner, make_organization(session))

    resp = client.get(
        "/api/v1/organizations/?page[size]=2&page[number]=2",
        headers=auth_headers(session, owner),
    )

    assert resp.json is not None
    assert len(resp.json["data"]) == 1
    assert resp.json["meta"]["pagination"] == {"page": 2, "pages": 2, "count": 3}
    assert resp.json["links"]["prev"].endswith("page%5Bnumber%5D=1&page%5Bsize%5D=2")


def test_list_page_beyond_the_last_is_404(
    client: FlaskClient, session: Session
) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/organizations/?page[size]=2&page[number]=9",
        404,
        unchanged=("organizations", "memberships"),
    )


def test_list_unknown_query_parameter_is_400(
    client: FlaskClient, session: Session
) -> None:
    resp = client.get("/api/v1/organizations/?color=red")

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"parameter": "color"}


@pytest.mark.parametrize("path", ["sites", "memberships", "nodes"])
def test_include_of_unsupported_path_is_400(
    client: FlaskClient, session: Session, path: str
) -> None:
    resp = client.get(f"/api/v1/organizations/?include={path}")

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"parameter": "include"}


def test_include_users_for_members_adds_user_resources(
    client: FlaskClient, session: Session
) -> None:
    owner, org, headers = owned(session)
    mate = make_user(session, first_name="Mia")
    make_membership(session, mate, org)

    resp = client.get(f"/api/v1/organizations/{org.id}/?include=users", headers=headers)

    assert resp.json is not None
    included = {u["id"]: u["attributes"] for u in resp.json["included"]}
    assert set(included) == {str(owner.id), str(mate.id)}
    assert included[str(mate.id)]["first_name"] == "Mia"


def test_public_organization_for_outsider_shows_no_members(
    client: FlaskClient, session: Session
) -> None:
    owner, org, _ = owned(session)
    room = make_room(session, make_site(session, org))
    make_installation(session, make_node(session, org), room, is_public=True)
    outsider = auth_headers(session, make_user(session))

    resp = client.get(
        f"/api/v1/organizations/{org.id}/?include=users", headers=outsider
    )

    assert resp.status_code == 200
    assert resp.json is not None
    assert "data" not in resp.json["data"]["relationships"]["users"]
    assert "included" not in resp.json
    assert owner.email not in resp.get_data(as_text=True)


def test_sparse_fieldset_keeps_only_named_members(
    client: FlaskClient, session: Session
) -> None:
    _, org, headers = owned(session)

    resp = client.get(
        f"/api/v1/organizations/{org.id}/?fields[Organization]=name", headers=headers
    )

    assert resp.json is not None
    assert resp.json["data"]["attributes"] == {"name": org.name}
    assert "relationships" not in resp.json["data"]


def test_create_trims_the_name_and_accepts_plain_json(
    client: FlaskClient, session: Session
) -> None:
    headers = auth_headers(session, make_user(session))

    resp = client.post(
        "/api/v1/organizations/",
        json=doc({"name": "  Kiez  ", "description": ""}),
        headers=headers,
    )

    assert resp.status_code == 201
    assert resp.json is not None
    assert resp.json["data"]["attributes"] == {"name": "Kiez", "description": ""}


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({}, "This field is required."),
        ({"name": None}, "This field may not be null."),
        ({"name": "   "}, "This field may not be blank."),
        ({"name": "x" * 51}, "no more than 50 characters"),
        ({"name": 7}, "Not a valid string."),
    ],
)
def test_create_with_invalid_name_is_400_with_pointer(
    client: FlaskClient, session: Session, attributes: dict[str, Any], message: str
) -> None:
    headers = auth_headers(session, make_user(session))

    resp = client.post("/api/v1/organizations/", json=doc(attributes), headers=headers)

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"pointer": "/data/attributes/name"}
    assert message in errors(resp)[0]["detail"]


def test_create_with_taken_name_is_409_with_pointer(
    client: FlaskClient, session: Session
) -> None:
    make_organization(session, name="Taken")
    headers = auth_headers(session, make_user(session))

    resp = client.post(
        "/api/v1/organizations/", json=doc({"name": "Taken"}), headers=headers
    )

    assert resp.status_code == 409
    assert errors(resp)[0]["source"] == {"pointer": "/data/attributes/name"}


def test_create_with_wrong_type_is_409(client: FlaskClient, session: Session) -> None:
    headers = auth_headers(session, make_user(session))
    body = {"data": {"type": "Site", "attributes": {"name": "X"}}}

    resp = client.post("/api/v1/organizations/", json=body, headers=headers)

    assert resp.status_code == 409
    assert errors(resp)[0]["source"] == {"pointer": "/data/type"}


def test_create_without_data_is_400(client: FlaskClient, session: Session) -> None:
    headers = auth_headers(session, make_user(session))

    resp = client.post("/api/v1/organizations/", json=[1, 2], headers=headers)

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"pointer": "/data"}


def test_create_with_text_body_is_415(client: FlaskClient, session: Session) -> None:
    headers = auth_headers(session, make_user(session))

    assert_refused(
        client,
        "POST",
        "/api/v1/organizations/",
        415,
        data="name=x",
        content_type="text/plain",
        headers=headers,
        unchanged=("organizations", "memberships"),
        header="Content-Type",
    )


def test_create_with_users_adds_them_as_inspectors(
    client: FlaskClient, session: Session
) -> None:
    creator, mate = make_user(session), make_user(session)
    earlier = make_organization(session)  # where the creator met the mate
    make_membership(session, creator, earlier)
    make_membership(session, mate, earlier)
    users = {"data": [{"type": "User", "id": str(mate.id)}]}

    resp = client.post(
        "/api/v1/organizations/",
        json=doc({"name": "Crew"}, relationships={"users": users}),
        headers=auth_headers(session, creator),
    )

    assert resp.status_code == 201
    roles = dict(
        session.execute(
            select(Membership.user_id, Membership.role)
            .join(Organization)
            .where(Organization.name == "Crew")
        ).all()
    )
    assert roles == {creator.id: Role.OWNER, mate.id: Role.INSPECTOR}


def test_patch_without_id_is_400_and_with_other_id_409(
    client: FlaskClient, session: Session
) -> None:
    _, org, headers = owned(session)
    url = f"/api/v1/organizations/{org.id}/"

    no_id = client.patch(url, json=doc({"name": "N"}), headers=headers)
    other_id = client.patch(url, json=doc({"name": "N"}, id="999"), headers=headers)

    assert no_id.status_code == 400
    assert errors(no_id)[0]["source"] == {"pointer": "/data/id"}
    assert other_id.status_code == 409


def test_put_without_name_is_400(client: FlaskClient, session: Session) -> None:
    _, org, headers = owned(session)

    resp = client.put(
        f"/api/v1/organizations/{org.id}/",
        json=doc({"description": "d"}, id=str(org.id)),
        headers=headers,
    )

    assert resp.status_code == 400
    assert errors(resp)[0]["source"] == {"pointer": "/data/attributes/name"}


def test_patch_users_replaces_members_and_keeps_roles(
    client: FlaskClient, session: Session
) -> None:
    owner, org, headers = owned(session)
    leaving, staying, joining = (make_user(session) for _ in range(3))
    earlier = make_organization(session)  # where the owner met the joining user
    make_membership(session, owner, earlier)
    make_membership(session, joining, earlier)
    make_membership(session, leaving, org)
    make_membership(session, staying, org, Role.OWNER)
    users = [{"type": "User", "id": str(u.id)} for u in (owner, staying, joining)]

    resp = client.patch(
        f"/api/v1/organizations/{org.id}/",
        json=doc({}, id=str(org.id), relationships={"users": {"data": users}}),
        headers=headers,
    )

    assert resp.status_code == 200
    roles = dict(
        session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.organization_id == org.id
            )
        ).all()
    )
    assert roles == {
        owner.id: Role.OWNER,
        staying.id: Role.OWNER,
        joining.id: Role.INSPECTOR,
    }


def test_patch_users_dropping_every_owner_is_409(
    client: FlaskClient, session: Session
) -> None:
    _, org, headers = owned(session)
    inspector = make_user(session)
    make_membership(session, inspector, org)

    assert_refused(
        client,
        "PATCH",
        f"/api/v1/organizations/{org.id}/",
        409,
        json=doc(
            {},
            id=str(org.id),
            relationships={
                "users": {"data": [{"type": "User", "id": str(inspector.id)}]}
            },
        ),
        headers=headers,
        unchanged=("organizations", "memberships"),
    )


def test_delete_removes_memberships_too(client: FlaskClient, session: Session) -> None:
    _, org, headers = owned(session)

    resp = client.delete(f"/api/v1/organizations/{org.id}", headers=headers)

    assert resp.status_code == 204
    assert (
        session.scalars(
            select(Membership).where(Membership.organization_id == org.id)
        ).all()
        == []
    )


def test_relationship_post_of_present_member_is_a_no_op(
    client: FlaskClient, session: Session
) -> None:
    owner, org, headers = owned(session)
    body = {"data": [{"type": "User", "id": str(owner.id)}]}

    resp = client.post(
        f"/api/v1/organizations/{org.id}/relationships/users/",
        json=body,
        headers=headers,
    )

    assert resp.status_code == 200
    assert resp.json == {"data": [{"type": "User", "id": str(owner.id)}]}


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        ({"data": {"type": "User", "id": "1"}}, 400, "/data"),
        ({"data": [{"type": "Organization", "id": "1"}]}, 409, "/data/0/type"),
        ({"data": [{"type": "User"}]}, 400, "/data/0/id"),
        ({"data": [{"type": "User", "id": "abc"}]}, 400, "/data/0/id"),
        ({"data": [{"type": "User", "id": "999999"}]}, 400, "/data"),
    ],
    ids=["not-a-list", "wrong-type", "no-id", "bad-id", "no-such-user"],
)
def test_relationship_post_with_bad_linkage_is_rejected_with_pointer(
    client: FlaskClient, session: Session, body: Any, status: int, pointer: str
) -> None:
    _, org, headers = owned(session)

    resp = client.post(
        f"/api/v1/organizations/{org.id}/relationships/users/",
        json=body,
        headers=headers,
    )

    assert resp.status_code == status
    assert errors(resp)[0]["source"] == {"pointer": pointer}


@pytest.mark.parametrize("other", ["nodes", "sites", "memberships"])
def test_other_relationship_endpoints_do_not_exist(
    client: FlaskClient, session: Session, other: str
) -> None:
    _, org, headers = owned(session)

    assert_refused(
        client,
        "GET",
        f"/api/v1/organizations/{org.id}/relationships/{other}/",
        404,
        headers=headers,
        unchanged=("organizations", "memberships"),
    )


def test_related_sites_and_nodes_list_the_organizations_inventory(
    client: FlaskClient, session: Session
) -> None:
    _, org, headers = owned(session)
    site = make_site(session, org)
    node = make_node(session, org)
    make_site(session)

    sites = client.get(f"/api/v1/organizations/{org.id}/sites/", headers=headers)
    nodes = client.get(f"/api/v1/organizations/{org.id}/nodes", headers=headers)

    assert sites.json is not None
    assert nodes.json is not None
    assert [s["id"] for s in sites.json["data"]] == [str(site.id)]
    assert sites.json["data"][0]["relationships"]["operator"]["data"] == {
        "type": "Organization",
        "id": str(org.id),
    }
    assert [n["id"] for n in nodes.json["data"]] == [str(node.id)]
    assert nodes.json["data"][0]["attributes"]["eui64"] == node.eui64
