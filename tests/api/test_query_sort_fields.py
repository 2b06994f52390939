"""``sort`` and ``fields[..]``: what the API cannot honour is a 400, never ignored.

Lists keep their fixed order (the reference's); ``sort`` may name it, as the
OpenAPI document says per list, and anything else is refused with
``source.parameter``. Fieldsets naming a type or member the API does not have
are refused the same way.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.blueprints.fieldsets import MEMBERS
from app.models import Node, Organization, Room
from tests.api.inventory.conftest import js, site_doc
from tests.factories import (
    make_alert,
    make_alert_rule,
    make_alert_webhook,
    make_fidelity,
)
from tests.support.worlds import InventoryWorld, inventory_world

#: The lists with a documented order, and those without one.
SORTED = {
    "/api/v1/addresses/",
    "/api/v1/alert-rules/",
    "/api/v1/alerts/",
    "/api/v1/installations/",
    "/api/v1/memberships/",
    "/api/v1/nodes/",
    "/api/v1/organizations/",
    "/api/v1/rooms/",
    "/api/v1/sites/",
}
UNSORTED = (
    "/api/v1/users/",
    "/api/v1/quantities/",
    "/api/v1/protocols/",
    "/api/v1/models/",
    "/api/v1/fidelity/",
    "/api/v1/alert-webhooks/",
    "/api/v1/sites/{psite}/rooms/",
)


def _sort_values(client: FlaskClient) -> dict[str, list[str]]:
    """Return the documented ``sort`` values of every GET operation that has one."""
    paths = js(client.get("/api/v1/schema/openapi.json"))["paths"]
    return {
        path: param["schema"]["enum"]
        for path, item in paths.items()
        for param in item.get("get", {}).get("parameters", [])
        if param["name"] == "sort"
    }


def _error(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 400
    assert resp.mimetype == "application/vnd.api+json"
    error: dict[str, Any] = js(resp)["errors"][0]
    return error


def test_sort_is_documented_on_exactly_the_ordered_lists(client: FlaskClient) -> None:
    assert set(_sort_values(client)) == SORTED


def test_sort_every_documented_value_is_accepted(
    client: FlaskClient, session: Session
) -> None:
    world = inventory_world(session)

    answers = {
        (path, value): client.get(
            f"{path}?sort={value}", headers=world.headers["owner"]
        ).status_code
        for path, values in _sort_values(client).items()
        for value in values
    }

    assert set(answers.values()) == {200}, answers


@pytest.mark.parametrize(
    "query", ["sort=password", "sort=-name", "sort=name,password", "sort=description"]
)
def test_sort_other_than_the_lists_order_is_400_naming_sort(
    client: FlaskClient, session: Session, query: str
) -> None:
    world = inventory_world(session)

    resp = client.get(f"/api/v1/sites/?{query}", headers=world.headers["owner"])

    assert _error(resp)["source"] == {"parameter": "sort"}


@pytest.mark.parametrize("path", UNSORTED)
def test_sort_on_a_list_without_order_is_400(
    client: FlaskClient, session: Session, path: str
) -> None:
    world = inventory_world(session)

    resp = client.get(
        path.format(psite=world.psite) + "?sort=id", headers=world.headers["owner"]
    )

    assert _error(resp)["source"] == {"parameter": "sort"}


def test_sort_on_a_detail_is_400(client: FlaskClient, session: Session) -> None:
    world = inventory_world(session)

    resp = client.get(
        f"/api/v1/sites/{world.psite}/?sort=name", headers=world.headers["owner"]
    )

    assert _error(resp)["source"] == {"parameter": "sort"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("fields[Site]=name,password", "fields[Site]"),
        ("fields[Address]=street", "fields[Address]"),
        ("fields[Secret]=name", "fields[Secret]"),
    ],
)
def test_fields_naming_an_unknown_member_or_type_is_400(
    client: FlaskClient, session: Session, query: str, parameter: str
) -> None:
    world = inventory_world(session)

    resp = client.get(f"/api/v1/sites/?{query}", headers=world.headers["owner"])

    assert _error(resp)["source"] == {"parameter": parameter}


def test_fields_on_a_write_is_checked_before_anything_is_stored(
    client: FlaskClient, session: Session
) -> None:
    world = inventory_world(session)
    body = site_doc("Unchecked", world.address, world.org)

    resp = client.post(
        "/api/v1/sites/?fields[Site]=title", json=body, headers=world.headers["owner"]
    )

    assert _error(resp)["source"] == {"parameter": "fields[Site]"}
    listed = client.get("/api/v1/sites/", headers=world.headers["owner"])
    assert "Unchecked" not in listed.get_data(as_text=True)


def _rendered_members(
    client: FlaskClient, world: InventoryWorld
) -> dict[str, set[str]]:
    urls = [
        "/api/v1/sites/?include=address,operator",
        "/api/v1/rooms/",
        f"/api/v1/nodes/{world.node}/?include_timeseries=1",
        f"/api/v1/installations/{world.inst}/?include_timeseries=1&include=node,room",
        "/api/v1/quantities/",
        "/api/v1/protocols/",
        "/api/v1/models/",
        "/api/v1/organizations/?include=users",
        "/api/v1/memberships/?include=organization,user",
        "/api/v1/fidelity/",
        "/api/v1/users/",
        "/api/v1/alert-rules/",
        "/api/v1/alerts/",
        "/api/v1/alert-webhooks/",
    ]
    users = js(client.get("/api/v1/users/", headers=world.headers["owner"]))["data"]
    urls += [f"/api/v1/users/{user['id']}/" for user in users]
    members: dict[str, set[str]] = {}
    for url in urls:
        body = js(client.get(url, headers=world.headers["owner"]))
        data = body["data"] if isinstance(body["data"], list) else [body["data"]]
        for res in [*data, *body.get("included", [])]:
            found = members.setdefault(res["type"], set())
            found.update(res.get("attributes", {}), res.get("relationships", {}))
    return members


def test_fields_table_names_every_member_the_api_renders(
    client: FlaskClient, session: Session
) -> None:
    world = inventory_world(session)
    make_fidelity(session, session.get_one(Node, UUID(world.node)))
    rule = make_alert_rule(session, session.get_one(Organization, world.org))
    make_alert(session, rule, session.get_one(Room, world.room))
    make_alert_webhook(session, session.get_one(Organization, world.org))

    members = _rendered_members(client, world)

    assert {t: set(m) for t, m in MEMBERS.items()} == members
