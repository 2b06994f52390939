"""Every view reads, answers and documents itself the same way.

Reads run on the request session and commit nothing; writes parse the query
string before they change anything; creates answer ``Location``; and every
paged list documents ``page[number]`` and ``page[size]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Membership, Node, Organization, Role, Site, User
from tests.factories import (
    count,
    make_fidelity,
    make_node,
    make_site,
    make_user,
)
from tests.support.auth import auth_headers
from tests.support.worlds import Tenants, tenants


@dataclass(frozen=True)
class World:
    """:func:`~tests.support.worlds.tenants` seen by the OWNER, with a node
    (and its verdict) and a site of the organization."""

    people: Tenants
    node: Node
    site: Site
    headers: dict[str, str]


@pytest.fixture
def world(session: Session) -> World:
    people = tenants(session)
    node = make_node(session, people.org)
    make_fidelity(session, node)
    site = make_site(session, people.org)
    return World(people, node, site, auth_headers(session, people.owner))


@pytest.fixture
def commits(session: Session) -> Iterator[list[str]]:
    """The commits of the requests of a test (savepoint releases under the fixture)."""
    released: list[str] = []
    connection = db.engines[None]

    def record(*_args: Any) -> None:
        released.append("commit")

    event.listen(connection, "release_savepoint", record)
    yield released
    event.remove(connection, "release_savepoint", record)


READS = (
    "/api/v1/users/",
    "/api/v1/users/{member}/",
    "/api/v1/users/{member}/organizations/",
    "/api/v1/users/{member}/memberships/",
    "/api/v1/users/{member}/relationships/organizations/",
    "/api/v1/organizations/",
    "/api/v1/organizations/{org}/",
    "/api/v1/organizations/{org}/users/",
    "/api/v1/organizations/{org}/memberships/",
    "/api/v1/organizations/{org}/sites/",
    "/api/v1/organizations/{org}/nodes/",
    "/api/v1/organizations/{org}/relationships/users/",
    "/api/v1/memberships/",
    "/api/v1/memberships/{membership}/",
    "/api/v1/memberships/{membership}/user/",
    "/api/v1/memberships/{membership}/organization/",
    "/api/v1/nodes/",
    "/api/v1/sites/{site}/rooms/",
    "/api/v1/fidelity/",
    "/api/v1/fidelity/{node}/",
    "/api/v1/node-timeseries/",
    "/api/v1/installation-timeseries/",
    "/api/v1/nodes/{node}/series/",
    "/api/v1/auth/user/",
)


@pytest.mark.parametrize("template", READS)
def test_reads_commit_nothing(
    client: FlaskClient, world: World, commits: list[str], template: str
) -> None:
    url = template.format(
        member=world.people.inspector.id,
        org=world.people.org.id,
        membership=world.people.inspector_membership.id,
        site=world.site.id,
        node=world.node.id,
    )

    resp = client.get(url, headers=world.headers)

    assert resp.status_code == 200, resp.json
    assert commits == []


def change(type_: str, pk: int, attributes: dict[str, Any]) -> dict[str, Any]:
    """A PATCH or PUT request document."""
    return {"data": {"type": type_, "id": str(pk), "attributes": attributes}}


def assert_fieldset_refused(resp: Any) -> None:
    """The answer is the 400 naming the unknown type of ``fields[Nope]``."""
    assert resp.status_code == 400
    assert resp.json is not None
    assert resp.json["errors"][0]["source"] == {"parameter": "fields[Nope]"}


def _organization(session: Session, pk: int) -> Organization:
    session.expire_all()
    org = session.get(Organization, pk)
    assert org is not None
    return org


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_organization_change_with_bad_fieldset_is_refused_before_it_is_stored(
    client: FlaskClient, session: Session, world: World, method: str
) -> None:
    before = _organization(session, world.people.org.id).name
    body = change("Organization", world.people.org.id, {"name": "Renamed"})

    resp = client.open(
        f"/api/v1/organizations/{world.people.org.id}/?fields[Nope]=name",
        method=method,
        json=body,
        headers=world.headers,
    )

    assert_fieldset_refused(resp)
    assert _organization(session, world.people.org.id).name == before


def test_organization_create_with_bad_fieldset_stores_nothing(
    client: FlaskClient, session: Session, world: World
) -> None:
    before = count(session, "organizations")
    body = {"data": {"type": "Organization", "attributes": {"name": "New"}}}

    resp = client.post(
        "/api/v1/organizations/?fields[Nope]=name", json=body, headers=world.headers
    )

    assert_fieldset_refused(resp)
    assert count(session, "organizations") == before


def test_membership_change_with_bad_fieldset_is_refused_before_it_is_stored(
    client: FlaskClient, session: Session, world: World
) -> None:
    body = change("Membership", world.people.inspector_membership.id, {"role": "O"})

    resp = client.patch(
        f"/api/v1/memberships/{world.people.inspector_membership.id}/?fields[Nope]=role",
        json=body,
        headers=world.headers,
    )

    assert_fieldset_refused(resp)
    session.expire_all()
    role = session.scalar(
        select(Membership.role).where(
            Membership.id == world.people.inspector_membership.id
        )
    )
    assert role == Role.INSPECTOR


def test_organization_create_answers_location(
    client: FlaskClient, world: World
) -> None:
    body = {"data": {"type": "Organization", "attributes": {"name": "Located"}}}

    resp = client.post("/api/v1/organizations/", json=body, headers=world.headers)

    assert resp.status_code == 201
    assert resp.json is not None
    assert resp.headers["Location"] == resp.json["data"]["links"]["self"]


def test_membership_create_answers_location(
    client: FlaskClient, session: Session, world: World
) -> None:
    newcomer: User = make_user(session)
    found = client.get(  # como-ui finds a newcomer by address, then adds them
        "/api/v1/users/",
        query_string={"filter[search]": newcomer.email},
        headers=world.headers,
    )
    assert found.json is not None
    assert [user["id"] for user in found.json["data"]] == [str(newcomer.id)]
    body = {
        "data": {
            "type": "Membership",
            "attributes": {"role": "I"},
            "relationships": {
                "user": {"data": {"type": "User", "id": str(newcomer.id)}},
                "organization": {
                    "data": {"type": "Organization", "id": str(world.people.org.id)}
                },
            },
        }
    }

    resp = client.post("/api/v1/memberships/", json=body, headers=world.headers)

    assert resp.status_code == 201
    assert resp.json is not None
    assert resp.headers["Location"] == resp.json["data"]["links"]["self"]


@pytest.mark.parametrize(
    ("template", "type_"),
    [
        ("/api/v1/organizations/{org}/sites/", "Site"),
        ("/api/v1/organizations/{org}/nodes/", "Node"),
        ("/api/v1/fidelity/{node}/", "Fidelity"),
    ],
)
def test_fieldsets_trim_every_list_and_detail(
    client: FlaskClient, world: World, template: str, type_: str
) -> None:
    url = template.format(org=world.people.org.id, node=world.node.id)
    member = {"Site": "name", "Node": "alias", "Fidelity": "fidelity"}[type_]

    resp = client.get(f"{url}?fields[{type_}]={member}", headers=world.headers)

    assert resp.status_code == 200
    assert resp.json is not None
    data = resp.json["data"]
    for res in data if isinstance(data, list) else [data]:
        assert list(res["attributes"]) == [member]
        assert "relationships" not in res


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document = app.test_client().get("/api/v1/schema/openapi.json").json
    assert isinstance(document, dict)
    return document


PAGED_LISTS = (
    "/api/v1/users/",
    "/api/v1/organizations/",
    "/api/v1/organizations/{pk}/users/",
    "/api/v1/organizations/{pk}/memberships/",
    "/api/v1/memberships/",
    "/api/v1/sites/{pk}/rooms/",
    "/api/v1/rooms/{pk}/installations/",
    "/api/v1/fidelity/",
)


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_paged_lists_document_their_paging(spec: dict[str, Any], path: str) -> None:
    parameters = spec["paths"][path]["get"].get("parameters", [])

    names = {p["name"] for p in parameters if p.get("in") == "query"}

    assert {"page[number]", "page[size]"} <= names


@pytest.mark.parametrize("path", ["/api/v1/organizations/", "/api/v1/memberships/"])
def test_creates_document_location(spec: dict[str, Any], path: str) -> None:
    answer = spec["paths"][path]["post"]["responses"]["201"]

    assert "Location" in answer.get("headers", {})


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/users/", "filter[search]"),
        ("/api/v1/memberships/", "filter[organization]"),
        ("/api/v1/fidelity/", "filter[fidelity]"),
    ],
)
def test_paging_keeps_the_filters_a_query_schema_documents(
    spec: dict[str, Any], path: str, name: str
) -> None:
    parameters = spec["paths"][path]["get"]["parameters"]

    assert name in {p["name"] for p in parameters}


def test_fidelity_filter_beyond_an_id_is_400_naming_it(
    client: FlaskClient, world: World
) -> None:
    resp = client.get(f"/api/v1/fidelity/?filter[site]={2**63}", headers=world.headers)

    assert resp.status_code == 400
    assert resp.json is not None
    assert resp.json["errors"][0]["source"] == {"parameter": "filter[site]"}
