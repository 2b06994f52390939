"""Authorization matrix of the inventory API: every endpoint, every actor.

Expected statuses are listed in the order of :data:`ACTORS` (anonymous,
outsider, staff, inspector, owner) and follow the reference's §4.5 with its
defects fixed: catalogue writes are staff-only, anonymous writes are 401,
invisible objects 404, visible-but-not-owned 403, and an id of another tenant
in a request body is a 400 pointing at the relationship.

Authorization comes before validation: with a body that is wrong (the OWNER
gets 400 or 409 for it), every other caller still gets 401, 404 or 403, and a
caller who owns no organization gets 403 for every create, whatever the body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Installation,
    Membership,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Quantity,
    Room,
    Site,
)
from tests.api.inventory.conftest import doc, js
from tests.support.worlds import ACTORS, InventoryWorld, inventory_world

Url = Callable[[InventoryWorld], str]
Body = Callable[[InventoryWorld], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One request and the status each actor gets."""

    method: str
    url: Url
    expected: str
    body: Body | None = None
    multipart: bool = False

    def statuses(self) -> dict[str, int]:
        """Map each actor to its expected status."""
        codes = [int(code) for code in self.expected.split()]
        assert len(codes) == len(ACTORS)
        return dict(zip(ACTORS, codes, strict=True))


MEMBERS = "404 404 404 200 200"  # GET of a private object
PUBLIC = "200 200 200 200 200"
OWNED = "401 404 404 403 200"  # change of a private object
OWNED_PUBLIC = "401 403 403 403 200"
GONE = "401 404 404 403 204"
GONE_PUBLIC = "401 403 403 403 204"
# Staff owns no organization, so it may create nothing whatever the body names.
CREATE = "401 400 403 403 201"
STAFF_READ = "401 200 200 200 200"  # members-only lists
NODE_READ = "401 404 404 200 200"


def _node_body(w: InventoryWorld) -> dict[str, Any]:
    return doc(
        "Node",
        {"eui64": "70B3D57ED0041234", "alias": "new"},
        {
            "protocol": ("Protocol", w.protocol),
            "model": ("Model", w.model),
            "owner": ("Organization", w.org),
        },
    )


def _inst_body(w: InventoryWorld, room: int) -> dict[str, Any]:
    return doc(
        "Installation",
        {"from_timestamp_s": 1500000000, "to_timestamp_s": 1500001000},
        {"room": ("Room", room), "node": ("Node", w.spare_node)},
    )


CASES: dict[str, Case] = {
    # -- catalogue: read by anyone, written by staff
    "quantity-list": Case("GET", lambda w: "/api/v1/quantities/", PUBLIC),
    "quantity-read": Case("GET", lambda w: f"/api/v1/quantities/{w.quantity}", PUBLIC),
    "protocol-read": Case("GET", lambda w: f"/api/v1/protocols/{w.protocol}/", PUBLIC),
    "model-list": Case("GET", lambda w: "/api/v1/models", PUBLIC),
    "quantity-create": Case(
        "POST",
        lambda w: "/api/v1/quantities/",
        "401 403 201 403 403",
        lambda w: doc("Quantity", {"quantity": "Noise", "base_unit": "dB"}),
    ),
    "protocol-create": Case(
        "POST",
        lambda w: "/api/v1/protocols/",
        "401 403 201 403 403",
        lambda w: doc("Protocol", {"identifier": "NEWPROT_V01"}),
    ),
    "model-update": Case(
        "PATCH",
        lambda w: f"/api/v1/models/{w.model}/",
        "401 403 200 403 403",
        lambda w: doc(
            "Model",
            {"trade_name": "x"},
            {"quantities": [("Quantity", w.quantity)]},
            w.model,
        ),
    ),
    "quantity-delete": Case(
        "DELETE", lambda w: f"/api/v1/quantities/{w.quantity}", "401 403 204 403 403"
    ),
    "protocol-delete-in-use": Case(
        "DELETE", lambda w: f"/api/v1/protocols/{w.protocol}/", "401 403 409 403 403"
    ),
    "model-delete-in-use": Case(
        "DELETE", lambda w: f"/api/v1/models/{w.model}/", "401 403 409 403 403"
    ),
    # -- nodes: members only, never public
    "node-list": Case("GET", lambda w: "/api/v1/nodes/", STAFF_READ),
    "node-read": Case("GET", lambda w: f"/api/v1/nodes/{w.node}/", NODE_READ),
    "public-node-read": Case("GET", lambda w: f"/api/v1/nodes/{w.pnode}", NODE_READ),
    "node-protocol": Case(
        "GET", lambda w: f"/api/v1/nodes/{w.node}/protocol/", NODE_READ
    ),
    "node-model": Case("GET", lambda w: f"/api/v1/nodes/{w.node}/model/", NODE_READ),
    "node-owner": Case("GET", lambda w: f"/api/v1/nodes/{w.node}/owner/", NODE_READ),
    "node-installations": Case(
        "GET", lambda w: f"/api/v1/nodes/{w.pnode}/installations/", NODE_READ
    ),
    # Organization A is public (it has a public installation): outsiders see it.
    "node-create": Case(
        "POST", lambda w: "/api/v1/nodes/", "401 403 403 403 201", _node_body
    ),
    "node-update": Case(
        "PATCH",
        lambda w: f"/api/v1/nodes/{w.node}/",
        OWNED,
        lambda w: doc("Node", {"alias": "renamed"}, id_=w.node),
    ),
    "node-replace": Case(
        "PUT",
        lambda w: f"/api/v1/nodes/{w.node}/",
        OWNED,
        lambda w: {"data": {**_node_body(w)["data"], "id": w.node}},
    ),
    "node-delete": Case("DELETE", lambda w: f"/api/v1/nodes/{w.spare_node}", GONE),
    # -- addresses: authenticated callers; members, or whoever sees the site
    "address-list": Case("GET", lambda w: "/api/v1/addresses/", STAFF_READ),
    "address-read": Case("GET", lambda w: f"/api/v1/addresses/{w.address}/", NODE_READ),
    "address-create": Case(
        "POST",
        lambda w: "/api/v1/addresses/",
        "401 201 201 201 201",
        lambda w: doc("Address", {"street1": "A 1", "zip": "10115", "city": "Berlin"}),
    ),
    # The address of a public site is as public as the site (anonymous: via sites).
    "public-address-read": Case(
        "GET", lambda w: f"/api/v1/addresses/{w.paddress}/", STAFF_READ
    ),
    "public-address-update": Case(
        "PATCH",
        lambda w: f"/api/v1/addresses/{w.paddress}/",
        OWNED_PUBLIC,
        lambda w: doc("Address", {"street2": "Hof"}, id_=w.paddress),
    ),
    "address-update": Case(
        "PATCH",
        lambda w: f"/api/v1/addresses/{w.address}/",
        OWNED,
        lambda w: doc("Address", {"street2": "Hof"}, id_=w.address),
    ),
    "address-delete-in-use": Case(
        "DELETE", lambda w: f"/api/v1/addresses/{w.address}", "401 404 404 403 409"
    ),
    # -- sites
    "site-list": Case("GET", lambda w: "/api/v1/sites/", PUBLIC),
    "site-read": Case("GET", lambda w: f"/api/v1/sites/{w.site}/", MEMBERS),
    "public-site-read": Case("GET", lambda w: f"/api/v1/sites/{w.psite}", PUBLIC),
    "site-organization": Case(
        "GET", lambda w: f"/api/v1/sites/{w.site}/organization/", MEMBERS
    ),
    "public-site-organization": Case(
        "GET", lambda w: f"/api/v1/sites/{w.psite}/organization/", PUBLIC
    ),
    "site-rooms": Case("GET", lambda w: f"/api/v1/sites/{w.site}/rooms/", MEMBERS),
    "public-site-rooms": Case(
        "GET", lambda w: f"/api/v1/sites/{w.psite}/rooms", PUBLIC
    ),
    "site-address": Case("GET", lambda w: f"/api/v1/sites/{w.site}/address/", MEMBERS),
    "public-site-address": Case(
        "GET", lambda w: f"/api/v1/sites/{w.psite}/address/", PUBLIC
    ),
    "site-create": Case(
        "POST",
        lambda w: "/api/v1/sites/",
        "401 403 403 403 201",
        lambda w: doc(
            "Site",
            {"name": "New site"},
            {"address": ("Address", w.address), "operator": ("Organization", w.org)},
        ),
    ),
    "site-update": Case(
        "PATCH",
        lambda w: f"/api/v1/sites/{w.site}/",
        OWNED,
        lambda w: doc("Site", {"description": "x"}, id_=w.site),
    ),
    "public-site-update": Case(
        "PATCH",
        lambda w: f"/api/v1/sites/{w.psite}/",
        OWNED_PUBLIC,
        lambda w: doc("Site", {"description": "x"}, id_=w.psite),
    ),
    "site-delete": Case("DELETE", lambda w: f"/api/v1/sites/{w.site}", GONE),
    "public-site-delete": Case(
        "DELETE", lambda w: f"/api/v1/sites/{w.psite}", GONE_PUBLIC
    ),
    # -- rooms
    "room-list": Case("GET", lambda w: "/api/v1/rooms/", PUBLIC),
    "room-read": Case("GET", lambda w: f"/api/v1/rooms/{w.room}/", MEMBERS),
    "public-room-read": Case("GET", lambda w: f"/api/v1/rooms/{w.proom}/", PUBLIC),
    "room-site": Case("GET", lambda w: f"/api/v1/rooms/{w.room}/site/", MEMBERS),
    "public-room-site": Case("GET", lambda w: f"/api/v1/rooms/{w.proom}/site", PUBLIC),
    "room-installations": Case(
        "GET", lambda w: f"/api/v1/rooms/{w.room}/installations/", MEMBERS
    ),
    "public-room-installations": Case(
        "GET", lambda w: f"/api/v1/rooms/{w.proom}/installations", PUBLIC
    ),
    "room-create": Case(
        "POST",
        lambda w: "/api/v1/rooms/",
        CREATE,
        lambda w: doc("Room", {"name": "New room"}, {"site": ("Site", w.site)}),
    ),
    "room-create-in-public-site": Case(
        "POST",
        lambda w: "/api/v1/rooms/",
        "401 403 403 403 201",
        lambda w: doc("Room", {"name": "New room"}, {"site": ("Site", w.psite)}),
    ),
    "room-update": Case(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.room}/",
        OWNED,
        lambda w: doc("Room", {"max_occupancy": "20"}, id_=w.room),
    ),
    "public-room-update": Case(
        "PATCH",
        lambda w: f"/api/v1/rooms/{w.proom}/",
        OWNED_PUBLIC,
        lambda w: doc("Room", {"size_sqm": 12.5}, id_=w.proom),
    ),
    "room-delete": Case("DELETE", lambda w: f"/api/v1/rooms/{w.room}", GONE),
    "public-room-delete": Case(
        "DELETE", lambda w: f"/api/v1/rooms/{w.proom}", GONE_PUBLIC
    ),
    # -- installations
    "installation-list": Case("GET", lambda w: "/api/v1/installations/", PUBLIC),
    "installation-read": Case(
        "GET", lambda w: f"/api/v1/installations/{w.inst}/", MEMBERS
    ),
    "public-installation-read": Case(
        "GET",
        lambda w: f"/api/v1/installations/{w.pinst}?include_timeseries=1",
        PUBLIC,
    ),
    "installation-room": Case(
        "GET", lambda w: f"/api/v1/installations/{w.inst}/room/", MEMBERS
    ),
    "public-installation-room": Case(
        "GET", lambda w: f"/api/v1/installations/{w.pinst}/room/", PUBLIC
    ),
    "installation-node": Case(
        "GET", lambda w: f"/api/v1/installations/{w.inst}/node/", MEMBERS
    ),
    "public-installation-node": Case(
        "GET", lambda w: f"/api/v1/installations/{w.pinst}/node/", "401 404 404 200 200"
    ),
    "installation-create": Case(
        "POST",
        lambda w: "/api/v1/installations/",
        CREATE,
        lambda w: _inst_body(w, w.room),
    ),
    "installation-create-in-public-room": Case(
        "POST",
        lambda w: "/api/v1/installations/",
        "401 403 403 403 201",
        lambda w: _inst_body(w, w.proom),
    ),
    "installation-update": Case(
        "PATCH",
        lambda w: f"/api/v1/installations/{w.inst}/",
        OWNED,
        lambda w: doc("Installation", {"is_public": True}, id_=w.inst),
    ),
    "public-installation-update": Case(
        "PATCH",
        lambda w: f"/api/v1/installations/{w.pinst}/",
        OWNED_PUBLIC,
        lambda w: doc("Installation", {"to_timestamp_s": 1900000000}, id_=w.pinst),
    ),
    "installation-delete": Case(
        "DELETE", lambda w: f"/api/v1/installations/{w.inst}", GONE
    ),
    "public-installation-delete": Case(
        "DELETE", lambda w: f"/api/v1/installations/{w.pinst}", GONE_PUBLIC
    ),
    "installation-image": Case(
        "PUT",
        lambda w: f"/api/v1/installations/{w.inst}/image/",
        "401 404 404 403 400",
        multipart=True,
    ),
    "public-installation-image": Case(
        "PUT",
        lambda w: f"/api/v1/installations/{w.pinst}/image/",
        "401 403 403 403 400",
        multipart=True,
    ),
}


def _send(client: FlaskClient, case: Case, world: InventoryWorld, actor: str) -> Any:
    headers = dict(world.headers[actor])
    kwargs: dict[str, Any] = {"headers": headers}
    if case.multipart:
        headers.pop("Content-Type")
        kwargs["data"] = {"note": "no image"}
        kwargs["content_type"] = "multipart/form-data"
    elif case.body is not None:
        kwargs["json"] = case.body(world)
    return client.open(case.url(world), method=case.method, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_inventory_endpoint_answers_each_actor_as_specified(
    client: FlaskClient, session: Session, name: str
) -> None:
    case = CASES[name]
    world = inventory_world(session)
    session.commit()  # a refused request's rollback must not undo the world
    expected = case.statuses()
    # Requests that succeed run last, so a deletion cannot hide the others.
    order = sorted(ACTORS, key=lambda actor: 200 <= expected[actor] < 300)

    answers = {actor: _send(client, case, world, actor) for actor in order}

    statuses = {actor: resp.status_code for actor, resp in answers.items()}
    assert statuses == expected
    for resp in answers.values():
        if resp.status_code >= 400:
            assert resp.mimetype == "application/vnd.api+json"
            assert js(resp)["errors"][0]["status"] == str(resp.status_code)


BAD_ORG = "401 403 403 403 400"  # A is public: outsiders see it but may not change it
BAD_PRIVATE = "401 404 404 403 400"
NO_DATA = {"x": 1}

INVALID_CASES: dict[str, Case] = {
    "site-create-without-address": Case(
        "POST",
        lambda w: "/api/v1/sites/",
        BAD_ORG,
        lambda w: doc("Site", {"name": " "}, {"operator": ("Organization", w.org)}),
    ),
    "site-create-no-data": Case(
        "POST", lambda w: "/api/v1/sites/", "401 400 403 403 400", lambda w: NO_DATA
    ),
    "room-create": Case(
        "POST",
        lambda w: "/api/v1/rooms/",
        BAD_ORG,
        lambda w: doc("Room", {"name": ""}, {"site": ("Site", w.psite)}),
    ),
    "installation-create": Case(
        "POST",
        lambda w: "/api/v1/installations/",
        BAD_ORG,
        lambda w: doc(
            "Installation",
            {"from_timestamp_s": "soon"},
            {"room": ("Room", w.proom), "node": ("Node", w.spare_node)},
        ),
    ),
    "node-create": Case(
        "POST",
        lambda w: "/api/v1/nodes/",
        BAD_ORG,
        lambda w: doc("Node", {"eui64": "zz"}, {"owner": ("Organization", w.org)}),
    ),
    "membership-create": Case(
        "POST",
        lambda w: "/api/v1/memberships/",
        BAD_ORG,
        lambda w: doc(
            "Membership",
            {"role": "X"},
            {"organization": ("Organization", w.org), "user": ("User", 0)},
        ),
    ),
    "address-create": Case(
        "POST", lambda w: "/api/v1/addresses/", "401 400 400 400 400", lambda w: NO_DATA
    ),
    "quantity-create": Case(
        "POST",
        lambda w: "/api/v1/quantities/",
        "401 403 400 403 403",
        lambda w: NO_DATA,
    ),
    "model-update": Case(
        "PATCH",
        lambda w: f"/api/v1/models/{w.model}/",
        "401 403 400 403 403",
        lambda w: doc("Model", {"trade_name": ""}, id_=w.model),
    ),
    "site-update": Case(
        "PATCH",
        lambda w: f"/api/v1/sites/{w.site}/",
        BAD_PRIVATE,
        lambda w: doc("Site", {"name": ""}, id_=w.site),
    ),
    "public-site-update": Case(
        "PATCH", lambda w: f"/api/v1/sites/{w.psite}/", BAD_ORG, lambda w: NO_DATA
    ),
    "room-update": Case(
        "PUT",
        lambda w: f"/api/v1/rooms/{w.room}/",
        BAD_PRIVATE,
        lambda w: doc("Room", {"name": "x"}, id_=w.room),
    ),
    "installation-update": Case(
        "PATCH",
        lambda w: f"/api/v1/installations/{w.inst}/",
        BAD_PRIVATE,
        lambda w: doc("Installation", {"is_public": "maybe"}, id_=w.inst),
    ),
    "node-update": Case(
        "PATCH",
        lambda w: f"/api/v1/nodes/{w.node}/",
        BAD_PRIVATE,
        lambda w: doc("Node", {"eui64": "zz"}, id_=w.node),
    ),
    "address-update": Case(
        "PATCH",
        lambda w: f"/api/v1/addresses/{w.address}/",
        BAD_PRIVATE,
        lambda w: doc("Address", {"zip": ""}, id_=w.address),
    ),
    "organization-update": Case(
        "PATCH",
        lambda w: f"/api/v1/organizations/{w.org}/",
        BAD_ORG,
        lambda w: doc("Organization", {"name": ""}, id_=w.org),
    ),
    "user-organizations-add": Case(
        "POST",
        lambda w: f"/api/v1/users/{w.owner}/relationships/organizations/",
        "401 404 404 403 400",
        lambda w: NO_DATA,
    ),
    "organization-members-add": Case(
        "POST",
        lambda w: f"/api/v1/organizations/{w.org}/relationships/users/",
        BAD_ORG,
        lambda w: NO_DATA,
    ),
}

#: Every table a refused write could touch.
TABLES: tuple[type[Any], ...] = (
    Quantity,
    Protocol,
    NodeModel,
    Node,
    Organization,
    Membership,
    Address,
    Site,
    Room,
    Installation,
)


def _stored(session: Session) -> dict[str, list[Any]]:
    """Every row of :data:`TABLES`, as stored."""
    stored = {}
    for model in TABLES:
        table = inspect(model).local_table
        stmt = select(table).order_by(*table.primary_key)
        stored[model.__name__] = list(session.execute(stmt).all())
    return stored


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_write_with_bad_body_is_authorized_before_validated(
    client: FlaskClient, session: Session, name: str
) -> None:
    case = INVALID_CASES[name]
    world = inventory_world(session)
    session.commit()
    before = _stored(session)

    answers = {actor: _send(client, case, world, actor) for actor in ACTORS}

    statuses = {actor: resp.status_code for actor, resp in answers.items()}
    assert statuses == case.statuses()
    for resp in answers.values():
        assert js(resp)["errors"][0]["status"] == str(resp.status_code)
    assert _stored(session) == before
