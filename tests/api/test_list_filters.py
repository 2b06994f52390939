"""Every ``filter[...]`` is read one way: the same bounds, errors and documentation.

The inventory lists and the tenancy and fidelity lists once read their filters
two ways (hand-written readers and query schemas) with different bounds and
messages; now each is a field of :mod:`app.blueprints.filters`.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.blueprints.filters import REVERSED_BOUNDS
from tests.api.inventory.conftest import js
from tests.support.worlds import InventoryWorld, inventory_world

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}


@pytest.fixture
def world(session: Session) -> InventoryWorld:
    return inventory_world(session)


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document = app.test_client().get("/api/v1/schema/openapi.json").json
    assert isinstance(document, dict)
    return document


REFUSED = [
    ("/api/v1/nodes/", "filter[organization]", "x"),
    ("/api/v1/sites/", "filter[organization]", "0"),
    ("/api/v1/rooms/", "filter[site]", "-1"),
    ("/api/v1/installations/", "filter[room]", "1.5"),
    ("/api/v1/installations/", "filter[node]", "not-a-uuid"),
    ("/api/v1/users/", "filter[organization]", "x"),
    ("/api/v1/memberships/", "filter[user]", "0"),
    ("/api/v1/fidelity/", "filter[site]", str(10**18)),
    ("/api/v1/nodes/{node}/", "filter[from]", "yesterday"),
    ("/api/v1/installations/{inst}/", "filter[to]", str(2**31)),
]


@pytest.mark.parametrize(("template", "name", "raw"), REFUSED)
def test_malformed_filter_is_400_naming_it_alike_everywhere(
    client: FlaskClient, world: InventoryWorld, template: str, name: str, raw: str
) -> None:
    path = template.format(node=world.node, inst=world.inst)

    resp = client.get(path, query_string={name: raw}, headers=world.headers["owner"])

    assert resp.status_code == 400
    (error,) = js(resp)["errors"]
    assert error["source"] == {"parameter": name}
    assert error["detail"].startswith(f'Invalid {name} "{raw}": expected ')


#: Every endpoint that takes both bounds of a window of samples.
WINDOWED = [
    "/api/v1/nodes/{node}/",
    "/api/v1/installations/{inst}/",
    "/api/v1/node-timeseries/{node}/",
    "/api/v1/nodes/{node}/timeseries/",
    "/api/v1/installation-timeseries/{inst}/",
    "/api/v1/installations/{inst}/timeseries/",
    "/api/v1/nodes/{node}/series/",
    "/api/v1/installations/{inst}/series/",
    "/api/v1/rooms/{room}/series/",
]


@pytest.mark.parametrize("template", WINDOWED)
def test_reversed_bounds_are_the_same_400_everywhere(
    client: FlaskClient, world: InventoryWorld, template: str
) -> None:
    path = template.format(node=world.node, inst=world.inst, room=world.room)
    query = {"filter[from]": "1700000100", "filter[to]": "1700000000"}

    resp = client.get(path, query_string=query, headers=world.headers["owner"])

    assert resp.status_code == 400
    (error,) = js(resp)["errors"]
    assert error["source"] == {"parameter": "filter[from]"}
    assert error["detail"] == REVERSED_BOUNDS


@pytest.mark.parametrize("template", WINDOWED)
def test_a_lone_filter_from_after_now_is_an_empty_window_everywhere(
    client: FlaskClient, world: InventoryWorld, template: str
) -> None:
    path = template.format(node=world.node, inst=world.inst, room=world.room)
    query = {"filter[from]": str(int(time.time()) + 86400)}
    if template.endswith("}/"):  # the details: with their samples
        query["include_timeseries"] = "1"

    resp = client.get(path, query_string=query, headers=world.headers["owner"])

    assert resp.status_code == 200


ID_FILTERS = [
    ("/api/v1/nodes/", "filter[organization]"),
    ("/api/v1/sites/", "filter[organization]"),
    ("/api/v1/rooms/", "filter[site]"),
    ("/api/v1/installations/", "filter[room]"),
    ("/api/v1/users/", "filter[organization]"),
    ("/api/v1/memberships/", "filter[user]"),
    ("/api/v1/fidelity/", "filter[site]"),
]


@pytest.mark.parametrize(("path", "name"), ID_FILTERS)
def test_id_filters_are_documented_with_the_bounds_they_are_read_with(
    spec: dict[str, Any], path: str, name: str
) -> None:
    parameters = spec["paths"][path]["get"]["parameters"]

    (found,) = [p for p in parameters if p["name"] == name]

    assert found["in"] == "query"
    assert found["description"]
    assert {key: found["schema"].get(key) for key in ID_SCHEMA} == ID_SCHEMA


@pytest.mark.parametrize(
    "path", ["/api/v1/users/", "/api/v1/memberships/", "/api/v1/nodes/"]
)
def test_repeated_filter_takes_its_last_value(
    client: FlaskClient, world: InventoryWorld, path: str
) -> None:
    query = f"filter[organization]=x&filter[organization]={world.org}"

    resp = client.get(f"{path}?{query}", headers=world.headers["owner"])

    assert resp.status_code == 200, js(resp)
    assert js(resp)["data"]
