"""Every inventory write path refuses bad bodies with 400/404/409 and a pointer.

Each case is sent by the actor who could otherwise make the change (staff for
the catalogue, the OWNER for the inventory), so only the body is at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.api.inventory.conftest import doc, js
from tests.support.worlds import InventoryWorld, inventory_world

LONG = "x" * 101
#: One character over the limit of every description.
LONG_TEXT = "x" * 2001


@dataclass(frozen=True)
class Bad:
    """A write with a bad body and the error it must get."""

    method: str
    url: Callable[[InventoryWorld], str]
    body: Callable[[InventoryWorld], Any]
    status: int
    pointer: str
    actor: str = "owner"


def _node(
    w: InventoryWorld, attributes: dict[str, Any] | None = None, **rels: Any
) -> Any:
    relationships = {
        "protocol": ("Protocol", w.protocol),
        "model": ("Model", w.model),
        "owner": ("Organization", w.org),
        **rels,
    }
    attrs = {"eui64": "70B3D57ED0041234", "alias": "new", **(attributes or {})}
    return doc("Node", attrs, {k: v for k, v in relationships.items() if v != "-"})


def _inst(
    w: InventoryWorld, attributes: dict[str, Any] | None = None, **rels: Any
) -> Any:
    relationships = {"room": ("Room", w.room), "node": ("Node", w.spare_node), **rels}
    attrs = {"from_timestamp_s": 1500000000, **(attributes or {})}
    return doc("Installation", attrs, relationships)


def _site(
    w: InventoryWorld, attributes: dict[str, Any] | None = None, **rels: Any
) -> Any:
    relationships = {
        "address": ("Address", w.address),
        "operator": ("Organization", w.org),
        **rels,
    }
    return doc("Site", {"name": "New", **(attributes or {})}, relationships)


def _room(
    w: InventoryWorld, attributes: dict[str, Any] | None = None, **rels: Any
) -> Any:
    relationships = {"site": ("Site", w.site), **rels}
    return doc("Room", {"name": "New", **(attributes or {})}, relationships)


def _address(**attributes: Any) -> Any:
    base = {"street1": "A 1", "zip": "10115", "city": "Berlin"}
    return doc("Address", {**base, **attributes})


ATTR = "/data/attributes/"
REL = "/data/relationships/"
NODES = "/api/v1/nodes/"
INSTS = "/api/v1/installations/"

CASES: dict[str, Bad] = {
    # -- envelope
    "no-data": Bad(
        "POST", lambda w: "/api/v1/rooms/", lambda w: {"x": 1}, 400, "/data"
    ),
    "not-json-object": Bad("POST", lambda w: NODES, lambda w: [1, 2], 400, "/data"),
    "wrong-type": Bad(
        "POST", lambda w: "/api/v1/sites/", lambda w: doc("Room", {}), 409, "/data/type"
    ),
    "patch-without-id": Bad(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        lambda w: doc("Room", {"name": "x"}),
        400,
        "/data/id",
    ),
    "patch-other-id": Bad(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        lambda w: doc("Room", {"name": "x"}, id_=w.proom),
        409,
        "/data/id",
    ),
    "attributes-not-object": Bad(
        "POST",
        lambda w: "/api/v1/addresses/",
        lambda w: {"data": {"type": "Address", "attributes": [1]}},
        400,
        "/data/attributes",
    ),
    # -- catalogue (staff)
    "quantity-missing": Bad(
        "POST",
        lambda w: "/api/v1/quantities/",
        lambda w: doc("Quantity", {"base_unit": "ppm"}),
        400,
        ATTR + "quantity",
        "staff",
    ),
    "quantity-wrong-type": Bad(
        "POST",
        lambda w: "/api/v1/quantities/",
        lambda w: doc("Quantity", {"quantity": 5, "base_unit": "ppm"}),
        400,
        ATTR + "quantity",
        "staff",
    ),
    "quantity-duplicate": Bad(
        "POST",
        lambda w: "/api/v1/quantities/",
        lambda w: doc("Quantity", {"quantity": w.quantity_name, "base_unit": "x"}),
        409,
        ATTR + "quantity",
        "staff",
    ),
    "protocol-negative": Bad(
        "POST",
        lambda w: "/api/v1/protocols/",
        lambda w: doc("Protocol", {"identifier": "P", "num_uplink_msgs": -1}),
        400,
        ATTR + "num_uplink_msgs",
        "staff",
    ),
    "protocol-not-number": Bad(
        "POST",
        lambda w: "/api/v1/protocols/",
        lambda w: doc("Protocol", {"identifier": "P", "num_downlink_msgs": "many"}),
        400,
        ATTR + "num_downlink_msgs",
        "staff",
    ),
    "protocol-fraction": Bad(
        "PATCH",
        lambda w: f"/api/v1/protocols/{w.protocol}/",
        lambda w: doc("Protocol", {"num_uplink_msgs": 2.99}, id_=w.protocol),
        400,
        ATTR + "num_uplink_msgs",
        "staff",
    ),
    "model-unknown-quantity": Bad(
        "PATCH",
        lambda w: f"/api/v1/models/{w.model}/",
        lambda w: doc("Model", {}, {"quantities": [("Quantity", 999999)]}, w.model),
        400,
        REL + "quantities",
        "staff",
    ),
    "model-quantities-wrong-type": Bad(
        "PATCH",
        lambda w: f"/api/v1/models/{w.model}/",
        lambda w: doc("Model", {}, {"quantities": [("Protocol", w.protocol)]}, w.model),
        409,
        REL + "quantities",
        "staff",
    ),
    "model-name-too-long": Bad(
        "PATCH",
        lambda w: f"/api/v1/models/{w.model}/",
        lambda w: doc("Model", {"name": "m" * 31}, id_=w.model),
        400,
        ATTR + "name",
        "staff",
    ),
    "model-missing-on-put": Bad(
        "PUT",
        lambda w: f"/api/v1/models/{w.model}/",
        lambda w: doc("Model", {"name": "m"}, id_=w.model),
        400,
        ATTR + "trade_name",
        "staff",
    ),
    "catalogue-unknown-id": Bad(
        "PATCH",
        lambda w: "/api/v1/quantities/999999/",
        lambda w: doc("Quantity", {"base_unit": "x"}, id_=999999),
        404,
        "",
        "staff",
    ),
    # -- nodes
    "node-missing-alias": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, {"alias": None}),
        400,
        ATTR + "alias",
    ),
    "node-alias-too-long": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, {"alias": LONG}),
        400,
        ATTR + "alias",
    ),
    "node-description-too-long": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, {"description": LONG_TEXT}),
        400,
        ATTR + "description",
    ),
    "node-bad-eui": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, {"eui64": "xyz"}),
        400,
        ATTR + "eui64",
    ),
    "node-eui-not-string": Bad(
        "POST", lambda w: NODES, lambda w: _node(w, {"eui64": 12}), 400, ATTR + "eui64"
    ),
    "node-bad-id": Bad(
        "POST",
        lambda w: NODES,
        lambda w: {"data": {**_node(w)["data"], "id": "not-a-uuid"}},
        400,
        "/data/id",
    ),
    "node-duplicate-id": Bad(
        "POST",
        lambda w: NODES,
        lambda w: {"data": {**_node(w)["data"], "id": w.other_node}},
        409,
        "/data/id",
    ),
    "node-missing-owner": Bad(
        "POST", lambda w: NODES, lambda w: _node(w, owner="-"), 400, REL + "owner"
    ),
    "node-unknown-protocol": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, protocol=("Protocol", 999999)),
        400,
        REL + "protocol",
    ),
    "node-owner-wrong-type": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, owner=("Site", w.site)),
        409,
        REL + "owner",
    ),
    "node-other-tenant-owner": Bad(
        "POST",
        lambda w: NODES,
        lambda w: _node(w, owner=("Organization", w.other_org)),
        400,
        REL + "owner",
    ),
    "node-move-to-other-tenant": Bad(
        "PATCH",
        lambda w: f"{NODES}{w.spare_node}/",
        lambda w: doc(
            "Node", {}, {"owner": ("Organization", w.other_org)}, w.spare_node
        ),
        400,
        REL + "owner",
    ),
    "node-null-model": Bad(
        "PATCH",
        lambda w: f"{NODES}{w.node}/",
        lambda w: doc("Node", {}, {"model": None}, w.node),
        400,
        REL + "model",
    ),
    "node-put-missing-model": Bad(
        "PUT",
        lambda w: f"{NODES}{w.node}/",
        lambda w: {"data": {**_node(w, model="-")["data"], "id": w.node}},
        400,
        REL + "model",
    ),
    "node-unknown": Bad(
        "PATCH",
        lambda w: f"{NODES}{w.other_org:032x}/",
        lambda w: doc("Node", {"alias": "x"}, id_=f"{w.other_org:032x}"),
        404,
        "",
    ),
    # -- addresses
    "address-zip-too-long": Bad(
        "POST",
        lambda w: "/api/v1/addresses/",
        lambda w: _address(zip="123456"),
        400,
        ATTR + "zip",
    ),
    "address-latitude-places": Bad(
        "POST",
        lambda w: "/api/v1/addresses/",
        lambda w: _address(latitude="52.1234567"),
        400,
        ATTR + "latitude",
    ),
    "address-latitude-range": Bad(
        "POST",
        lambda w: "/api/v1/addresses/",
        lambda w: _address(latitude=91),
        400,
        ATTR + "latitude",
    ),
    "address-missing-city": Bad(
        "POST",
        lambda w: "/api/v1/addresses/",
        lambda w: _address(city=None),
        400,
        ATTR + "city",
    ),
    "address-blank-street": Bad(
        "PATCH",
        lambda w: f"/api/v1/addresses/{w.address}/",
        lambda w: doc("Address", {"street1": "  "}, id_=w.address),
        400,
        ATTR + "street1",
    ),
    "address-other-tenant": Bad(
        "PATCH",
        lambda w: f"/api/v1/addresses/{w.other_address}/",
        lambda w: doc("Address", {"city": "x"}, id_=w.other_address),
        404,
        "",
    ),
    # -- sites
    "site-missing-name": Bad(
        "POST",
        lambda w: "/api/v1/sites/",
        lambda w: _site(w, {"name": None}),
        400,
        ATTR + "name",
    ),
    "site-name-too-long": Bad(
        "POST",
        lambda w: "/api/v1/sites/",
        lambda w: _site(w, {"name": "s" * 51}),
        400,
        ATTR + "name",
    ),
    "site-description-too-long": Bad(
        "POST",
        lambda w: "/api/v1/sites/",
        lambda w: _site(w, {"description": LONG_TEXT}),
        400,
        ATTR + "description",
    ),
    "site-other-tenant-address": Bad(
        "POST",
        lambda w: "/api/v1/sites/",
        lambda w: _site(w, address=("Address", w.other_address)),
        400,
        REL + "address",
    ),
    "site-missing-operator": Bad(
        "POST",
        lambda w: "/api/v1/sites/",
        lambda w: _site(w, operator=None),
        400,
        REL + "operator",
    ),
    "site-duplicate-name": Bad(
        "PATCH",
        lambda w: f"/api/v1/sites/{w.site}/",
        lambda w: doc("Site", {"name": w.psite_name}, id_=w.site),
        409,
        ATTR + "name",
    ),
    "room-duplicate-name": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, {"name": w.proom_name}, site=("Site", w.psite)),
        409,
        ATTR + "name",
    ),
    "site-move-to-other-tenant": Bad(
        "PATCH",
        lambda w: f"/api/v1/sites/{w.site}/",
        lambda w: doc("Site", {}, {"operator": ("Organization", w.other_org)}, w.site),
        400,
        REL + "operator",
    ),
    # -- rooms
    "room-size-not-number": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, {"size_sqm": "big"}),
        400,
        ATTR + "size_sqm",
    ),
    "room-size-places": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, {"height_m": 2.55}),
        400,
        ATTR + "height_m",
    ),
    "room-size-too-large": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, {"height_m": "100"}),
        400,
        ATTR + "height_m",
    ),
    "room-negative-occupancy": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, {"max_occupancy": -1}),
        400,
        ATTR + "max_occupancy",
    ),
    "room-occupancy-boolean": Bad(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        lambda w: doc("Room", {"max_occupancy": True}, id_=w.room),
        400,
        ATTR + "max_occupancy",
    ),
    "room-occupancy-fraction": Bad(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        lambda w: doc("Room", {"max_occupancy": 1.5}, id_=w.room),
        400,
        ATTR + "max_occupancy",
    ),
    "room-description-too-long": Bad(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        lambda w: doc("Room", {"description": LONG_TEXT}, id_=w.room),
        400,
        ATTR + "description",
    ),
    "room-other-tenant-site": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, site=("Site", w.other_site)),
        400,
        REL + "site",
    ),
    "room-bad-site-id": Bad(
        "POST",
        lambda w: "/api/v1/rooms/",
        lambda w: _room(w, site=("Site", "abc")),
        400,
        REL + "site",
    ),
    "room-move-with-installations": Bad(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        lambda w: doc("Room", {}, {"site": ("Site", w.other_site)}, w.room),
        400,
        REL + "site",
    ),
    # -- installations
    "inst-missing-from": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"from_timestamp_s": None}),
        400,
        ATTR + "from_timestamp_s",
    ),
    "inst-from-not-number": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"from_timestamp_s": "soon"}),
        400,
        ATTR + "from_timestamp_s",
    ),
    "inst-from-negative": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"from_timestamp_s": -5}),
        400,
        ATTR + "from_timestamp_s",
    ),
    "inst-from-fraction": Bad(
        "PATCH",
        lambda w: f"{INSTS}{w.inst}/",
        lambda w: doc("Installation", {"from_timestamp_s": 1500000000.9}, id_=w.inst),
        400,
        ATTR + "from_timestamp_s",
    ),
    "inst-description-too-long": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"description": LONG_TEXT}),
        400,
        ATTR + "description",
    ),
    "inst-to-null": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"to_timestamp_s": None}),
        400,
        ATTR + "to_timestamp_s",
    ),
    "inst-to-beyond-open-end": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"to_timestamp_s": 2147483648}),
        400,
        ATTR + "to_timestamp_s",
    ),
    "inst-public-not-boolean": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"is_public": "maybe"}),
        400,
        ATTR + "is_public",
    ),
    "inst-ends-before-start": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"to_timestamp_s": 1400000000}),
        400,
        ATTR + "to_timestamp_s",
    ),
    "inst-overlap": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, {"from_timestamp_s": 1800000000}, node=("Node", w.node)),
        400,
        ATTR + "from_timestamp_s",
    ),
    "inst-other-tenant-node": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, node=("Node", w.other_node)),
        400,
        REL + "node",
    ),
    "inst-other-tenant-room": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, room=("Room", w.other_room)),
        400,
        REL + "room",
    ),
    "inst-bad-node-id": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, node=("Node", "123")),
        400,
        REL + "node",
    ),
    "inst-node-to-many": Bad(
        "POST",
        lambda w: INSTS,
        lambda w: _inst(w, node=[("Node", w.spare_node)]),
        400,
        REL + "node",
    ),
    "inst-patch-end-before-start": Bad(
        "PATCH",
        lambda w: f"{INSTS}{w.inst}/",
        lambda w: doc("Installation", {"to_timestamp_s": 1000}, id_=w.inst),
        400,
        ATTR + "to_timestamp_s",
    ),
    "inst-patch-other-tenant-node": Bad(
        "PATCH",
        lambda w: f"{INSTS}{w.inst}/",
        lambda w: doc("Installation", {}, {"node": ("Node", w.other_node)}, w.inst),
        400,
        REL + "node",
    ),
    "inst-unknown": Bad(
        "PATCH",
        lambda w: f"{INSTS}999999/",
        lambda w: doc("Installation", {"is_public": True}, id_=999999),
        404,
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_inventory_write_with_bad_body_is_refused_with_pointer(
    client: FlaskClient, session: Session, name: str
) -> None:
    case = CASES[name]
    world = inventory_world(session)
    session.commit()

    resp = client.open(
        case.url(world),
        method=case.method,
        json=case.body(world),
        headers=world.headers[case.actor],
    )

    assert resp.status_code == case.status, js(resp)
    if case.pointer:
        pointers = [e.get("source", {}).get("pointer") for e in js(resp)["errors"]]
        assert case.pointer in pointers
