"""``/api/v1/fidelity/``: members-only scoping, filters, the resource's shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy.orm import Session

from app.models import Node
from app.models.devices import Fidelity
from tests.factories import (
    T0,
    make_fidelity,
    make_installation,
    make_node,
    make_room,
    make_site,
)
from tests.support.worlds import tenants

CHECKED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """:func:`~tests.support.worlds.tenants` with nodes, rooms and verdicts:
    ``org_a`` is the tenants' organization, ``org_b`` the outsider's."""

    headers: dict[str, dict[str, str]]
    a1: Node
    a2: Node
    a3: Node
    b1: Node
    org_a: int
    org_b: int
    site_a: int
    room_a1: int
    room_a2: int


@pytest.fixture
def world(session: Session) -> World:
    people = tenants(session)
    org_a, org_b = people.org, people.other
    site_a = make_site(session, operator=org_a)
    room_a1 = make_room(session, site=site_a)
    room_a2 = make_room(session, site=make_site(session, operator=org_a))
    a1 = make_node(session, owner=org_a, eui64="A000000000000001")
    a2 = make_node(session, owner=org_a, eui64="A000000000000002")
    a3 = make_node(session, owner=org_a, eui64="A000000000000003")
    b1 = make_node(session, owner=org_b, eui64="B000000000000001")
    make_installation(session, node=a1, room=room_a1)
    make_installation(session, node=a2, room=room_a2)
    # a3 was in room a1 once; it is not installed anywhere now.
    make_installation(session, node=a3, room=room_a1, to_time=T0 + timedelta(days=1))
    make_fidelity(
        session,
        a1,
        fidelity=Fidelity.ALIVE,
        last_contact=CHECKED - timedelta(minutes=5),
        last_check=CHECKED,
    )
    make_fidelity(
        session,
        a2,
        fidelity=Fidelity.DEAD,
        last_contact=CHECKED - timedelta(days=2),
        last_check=CHECKED,
    )
    make_fidelity(session, a3, fidelity=Fidelity.UNKNOWN, last_check=CHECKED)
    make_fidelity(session, b1, fidelity=Fidelity.MISSING, last_check=CHECKED)
    return World(
        people.headers(session),
        a1,
        a2,
        a3,
        b1,
        org_a.id,
        org_b.id,
        site_a.id,
        room_a1.id,
        room_a2.id,
    )


def _doc(resp: TestResponse) -> dict[str, Any]:
    body = resp.get_json()
    assert isinstance(body, dict)
    return body


def _ids(resp: TestResponse) -> list[str]:
    return [r["id"] for r in _doc(resp)["data"]]


@pytest.mark.parametrize(
    ("caller", "status", "visible"),
    [
        ("anonymous", 401, None),
        ("outsider", 200, ["b1"]),
        ("staff", 200, []),
        ("inspector", 200, ["a1", "a2", "a3"]),
        ("owner", 200, ["a1", "a2", "a3"]),
    ],
)
def test_fidelity_list_shows_only_nodes_of_the_callers_organizations(
    client: FlaskClient,
    world: World,
    caller: str,
    status: int,
    visible: list[str] | None,
) -> None:
    resp = client.get("/api/v1/fidelity/", headers=world.headers[caller])

    assert resp.status_code == status
    assert resp.mimetype == "application/vnd.api+json"
    if visible is None:
        assert _doc(resp)["errors"][0]["status"] == "401"
        assert resp.headers["WWW-Authenticate"] == "Token"
    else:
        assert _ids(resp) == [str(getattr(world, name).id) for name in visible]


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("staff", 404),
        ("inspector", 200),
        ("owner", 200),
    ],
)
def test_fidelity_detail_is_members_only(
    client: FlaskClient, world: World, caller: str, status: int
) -> None:
    resp = client.get(f"/api/v1/fidelity/{world.a1.id}/", headers=world.headers[caller])

    assert resp.status_code == status
    assert resp.mimetype == "application/vnd.api+json"
    if status == 200:
        assert _doc(resp)["data"]["id"] == str(world.a1.id)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter[organization]={org_a}", ["a1", "a2", "a3"]),
        ("filter[organization]={org_b}", []),
        ("filter[site]={site_a}", ["a1"]),
        ("filter[room]={room_a1}", ["a1"]),
        ("filter[room]={room_a2}", ["a2"]),
        ("filter[fidelity]=D", ["a2"]),
        ("filter[fidelity]=E,D", ["a1", "a2"]),
        ("filter[fidelity]=U", ["a3"]),
        ("filter[site]={site_a}&filter[fidelity]=D", []),
    ],
)
def test_fidelity_list_filters(
    client: FlaskClient, world: World, query: str, expected: list[str]
) -> None:
    url = "/api/v1/fidelity/?" + query.format(**vars(world))

    resp = client.get(url, headers=world.headers["inspector"])

    assert resp.status_code == 200
    assert _ids(resp) == [str(getattr(world, name).id) for name in expected]


@pytest.mark.parametrize(
    "parameter",
    ["filter[site]=abc", "filter[room]=0", "filter[fidelity]=A", "filter[fidelity]="],
)
def test_fidelity_list_bad_filter_is_400_naming_the_parameter(
    client: FlaskClient, world: World, parameter: str
) -> None:
    resp = client.get(
        f"/api/v1/fidelity/?{parameter}", headers=world.headers["inspector"]
    )

    assert resp.status_code == 400
    error = _doc(resp)["errors"][0]
    assert error["source"] == {"parameter": parameter.split("=")[0]}


def test_fidelity_resource_has_the_reference_shape(
    client: FlaskClient, world: World
) -> None:
    resp = client.get(
        f"/api/v1/fidelity/{world.a1.id}", headers=world.headers["inspector"]
    )

    node = str(world.a1.id)
    assert _doc(resp)["data"] == {
        "type": "Fidelity",
        "id": node,
        "attributes": {
            "fidelity": "E",
            "last_contact_s": int((CHECKED - timedelta(minutes=5)).timestamp()),
            "last_check_s": int(CHECKED.timestamp()),
        },
        "relationships": {
            "node": {
                "data": {"type": "Node", "id": node},
                "links": {"related": f"http://localhost/api/v1/nodes/{node}/"},
            }
        },
        "links": {"self": f"http://localhost/api/v1/fidelity/{node}/"},
    }


def test_fidelity_of_node_without_samples_has_null_last_contact(
    client: FlaskClient, world: World
) -> None:
    resp = client.get(
        f"/api/v1/fidelity/{world.a3.id}/", headers=world.headers["owner"]
    )

    assert _doc(resp)["data"]["attributes"]["fidelity"] == "U"
    assert _doc(resp)["data"]["attributes"]["last_contact_s"] is None


@pytest.mark.parametrize(("caller", "status"), [("anonymous", 401), ("owner", 404)])
def test_fidelity_detail_malformed_uuid(
    client: FlaskClient, world: World, caller: str, status: int
) -> None:
    resp = client.get("/api/v1/fidelity/not-a-uuid/", headers=world.headers[caller])

    assert resp.status_code == status


def test_fidelity_list_pages(client: FlaskClient, world: World) -> None:
    resp = client.get(
        "/api/v1/fidelity/?page[size]=2&page[number]=2",
        headers=world.headers["owner"],
    )

    assert _ids(resp) == [str(world.a3.id)]
    assert _doc(resp)["meta"]["pagination"] == {"page": 2, "pages": 2, "count": 3}


def test_fidelity_list_include_is_400(client: FlaskClient, world: World) -> None:
    resp = client.get("/api/v1/fidelity/?include=node", headers=world.headers["owner"])

    assert resp.status_code == 400
    assert _doc(resp)["errors"][0]["source"] == {"parameter": "include"}
