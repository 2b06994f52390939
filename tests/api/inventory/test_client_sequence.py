"""The dashboards' request sequence (clients contract §1.3), in order, as one test.

como-ui creates an organization (the tenancy API; here a factory stands in),
then an address and a site, a room, edits them, installs a node registered by
the registration tool, reads the installation as the dashboard and the public
widget do, toggles its publicity (end now, start a copy now), ends it, installs
again, and deletes room, site and address. Paths are written as the clients
write them, with and without trailing slashes.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Address, Installation, Node, Role, Room, Sample, Site
from app.services.accounts.tokens import issue_user_key
from tests.api.inventory.conftest import doc, js
from tests.factories import (
    make_membership,
    make_model,
    make_organization,
    make_protocol,
    make_samples,
    make_user,
)

API = "/api/v1/"
OPEN = 2147483647


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.path, js(resp))
    return js(resp)


def test_dashboard_request_sequence_leaves_database_consistent(
    client: FlaskClient, session: Session
) -> None:
    owner = make_user(session)
    org = make_organization(session, name="Kiezschule")
    make_membership(session, owner, org, Role.OWNER)
    protocol, model = make_protocol(session), make_model(session)
    h = {
        "Authorization": f"Token {issue_user_key(session, owner).key}",
        "Content-Type": "application/vnd.api+json",
        "X-CSRFToken": "ignored-for-token-auth",
    }
    session.commit()
    orgf = {"filter[organization]": str(org.id)}

    # App start: the catalogue, without trailing slashes.
    for path in ("quantities", "protocols", "models"):
        _ok(client.get(API + path, headers=h))

    # The registration tool registers a node with a client-chosen UUID.
    node_id = str(uuid.uuid4())
    _ok(
        client.post(
            API + "nodes/",
            json=doc(
                "Node",
                {"eui64": "70b3d57ed0041234", "alias": "Fenster"},
                {
                    "protocol": ("Protocol", protocol.id),
                    "model": ("Model", model.id),
                    "owner": ("Organization", org.id),
                },
                id_=node_id,
            ),
            headers=h,
        ),
        201,
    )
    now = int(time.time())
    node = session.get(Node, uuid.UUID(node_id))
    assert node is not None
    make_samples(session, node, datetime.fromtimestamp(now - 3000, UTC), 10)
    session.commit()

    # Inventory of the organization (all empty but the node).
    for path in ("sites", "rooms", "installations"):
        assert _ok(client.get(API + path, query_string=orgf, headers=h))["data"] == []
    nodes = _ok(client.get(API + "nodes", query_string=orgf, headers=h))["data"]
    assert nodes[0]["attributes"]["sample_count"] == 10
    assert nodes[0]["relationships"]["model"]["data"]["id"] == str(model.id)

    # Create site: address first, then the site using the returned id.
    address = _ok(
        client.post(
            API + "addresses/",
            json=doc(
                "Address",
                {
                    "street1": "Schulstr. 1",
                    "street2": "",
                    "zip": "13347",
                    "city": "Berlin",
                },
            ),
            headers=h,
        ),
        201,
    )["data"]
    site_doc = _ok(
        client.post(
            API + "sites/",
            json=doc(
                "Site",
                {"name": "Haus A", "description": ""},
                {
                    "operator": ("Organization", org.id),
                    "address": ("Address", address["id"]),
                },
            ),
            headers=h,
        ),
        201,
    )
    site_id = site_doc["data"]["id"]
    assert site_doc["included"][0]["attributes"]["street1"] == "Schulstr. 1"

    # Edit site and address (street2 may be null).
    _ok(
        client.patch(
            API + f"sites/{site_id}/",
            json=doc("Site", {"name": "Haus B", "description": "Neubau"}, id_=site_id),
            headers=h,
        )
    )
    _ok(
        client.patch(
            API + f"addresses/{address['id']}/",
            json=doc(
                "Address",
                {
                    "street1": "Schulstr. 2",
                    "street2": None,
                    "zip": "13347",
                    "city": "Berlin",
                },
                id_=address["id"],
            ),
            headers=h,
        )
    )
    sites = _ok(client.get(API + "sites", query_string=orgf, headers=h))
    assert sites["data"][0]["attributes"]["name"] == "Haus B"
    assert sites["included"][0]["attributes"]["street2"] is None

    # Create and edit a room; every attribute arrives as a string.
    room = _ok(
        client.post(
            API + "rooms/",
            json=doc(
                "Room",
                {
                    "name": "5a",
                    "description": "Klasse",
                    "size_sqm": "62",
                    "height_m": "3.2",
                    "max_occupancy": "28",
                },
                {"site": ("Site", site_id)},
            ),
            headers=h,
        ),
        201,
    )["data"]
    room_id = room["id"]
    patched_room = _ok(
        client.patch(
            API + f"rooms/{room_id}/",
            json=doc("Room", {"size_sqm": "12.5", "max_occupancy": "20"}, id_=room_id),
            headers=h,
        )
    )["data"]
    assert patched_room["attributes"]["size_sqm"] == "12.5"
    assert patched_room["attributes"]["max_occupancy"] == 20
    assert patched_room["attributes"]["height_m"] == "3.2"

    # Edit the sensor.
    _ok(
        client.patch(
            API + f"nodes/{node_id}/",
            json=doc(
                "Node", {"alias": "Fenster links", "description": "x"}, id_=node_id
            ),
            headers=h,
        )
    )

    # Add installation page: nodes, the node's installations, then POST.
    _ok(client.get(API + "nodes", query_string=orgf, headers=h))
    assert (
        _ok(client.get(API + f"nodes/{node_id}/installations/", headers=h))["data"]
        == []
    )
    first = _ok(
        client.post(
            API + "installations/",
            json=doc(
                "Installation",
                {
                    "from_timestamp_s": now - 3600,
                    "to_timestamp_s": OPEN,
                    "is_public": False,
                    "description": "Fensterbank",
                },
                {"room": ("Room", room_id), "node": ("Node", node_id)},
            ),
            headers=h,
        ),
        201,
    )["data"]
    inst_id = first["id"]

    # Dashboard list: latest sample and the query time on every item.
    items = _ok(client.get(API + "installations", query_string=orgf, headers=h))["data"]
    attributes = items[0]["attributes"]
    assert attributes["from_timestamp_s"] <= attributes["query_timestamp_s"] < OPEN
    assert attributes["latest_sample"]["co2_ppm"] == 600

    # Installation detail: the record, the related room via its absolute link,
    # then a window of samples, oldest first.
    detail = _ok(client.get(API + f"installations/{inst_id}", headers=h))["data"]
    related = detail["relationships"]["room"]["links"]["related"]
    assert related.startswith("http://localhost/api/v1/installations/")
    assert _ok(client.get(related, headers=h))["data"]["id"] == room_id
    _ok(client.get(detail["relationships"]["node"]["links"]["related"], headers=h))
    series = _ok(
        client.get(
            API + f"installations/{inst_id}",
            query_string={
                "include_timeseries": "1",
                "filter[from]": str(now - 86400 * 30),
                "filter[to]": str(now),
            },
            headers=h,
        )
    )["data"]["attributes"]["timeseries"]
    assert len(series) == 10
    assert series[0]["timestamp_s"] < series[-1]["timestamp_s"]

    # Toggle publicity: end it now, start a public copy at the same second.
    toggle = int(time.time())
    _ok(
        client.patch(
            API + f"installations/{inst_id}/",
            json=doc("Installation", {"to_timestamp_s": toggle}, id_=inst_id),
            headers=h,
        )
    )
    public = _ok(
        client.post(
            API + "installations/",
            json=doc(
                "Installation",
                {
                    "from_timestamp_s": toggle,
                    "to_timestamp_s": OPEN,
                    "is_public": True,
                    "description": "Fensterbank",
                },
                {"room": ("Room", room_id), "node": ("Node", node_id)},
            ),
            headers=h,
        ),
        201,
    )["data"]

    # The public widget, anonymously: site, its rooms, the room's installations.
    anonymous = {"Content-Type": "application/vnd.api+json"}
    assert (
        _ok(client.get(API + f"sites/{site_id}", headers=anonymous))["data"]["id"]
        == site_id
    )
    rooms = _ok(client.get(API + f"sites/{site_id}/rooms", headers=anonymous))["data"]
    assert [r["id"] for r in rooms] == [room_id]
    shown = _ok(client.get(API + f"rooms/{room_id}/installations", headers=anonymous))
    assert [i["id"] for i in shown["data"]] == [public["id"]]

    # End the installation, then "install now" (no end: open).
    later = toggle + 60
    ended = _ok(
        client.patch(
            API + f"installations/{public['id']}/",
            json=doc("Installation", {"to_timestamp_s": later}, id_=public["id"]),
            headers=h,
        )
    )["data"]
    assert ended["attributes"]["to_timestamp_s"] == later
    assert ended["attributes"]["is_public"] is True
    _ok(
        client.post(
            API + "installations/",
            json=doc(
                "Installation",
                {"from_timestamp_s": later + 1, "is_public": False},
                {"room": ("Room", room_id), "node": ("Node", node_id)},
            ),
            headers=h,
        ),
        201,
    )
    history = _ok(client.get(API + "installations", query_string=orgf, headers=h))[
        "data"
    ]
    assert [i["attributes"]["to_timestamp_s"] for i in history] == [OPEN, later, toggle]

    # Delete room (without slash), site and address.
    assert client.delete(API + f"rooms/{room_id}", headers=h).status_code == 204
    assert client.delete(API + f"sites/{site_id}", headers=h).status_code == 204
    assert (
        client.delete(API + f"addresses/{address['id']}", headers=h).status_code == 204
    )

    # Consistent: the inventory is gone, the node keeps its samples.
    session.expire_all()
    assert (
        session.scalar(
            select(func.count())
            .select_from(Installation)
            .where(Installation.node_id == node.id)
        )
        == 0
    )
    assert session.get(Room, int(room_id)) is None
    assert session.get(Site, int(site_id)) is None
    assert session.get(Address, int(address["id"])) is None
    assert (
        session.scalar(
            select(func.count()).select_from(Sample).where(Sample.node_id == node.id)
        )
        == 10
    )
    assert (
        _ok(client.get(API + f"nodes/{node_id}/", headers=h))["data"]["attributes"][
            "alias"
        ]
        == "Fenster links"
    )
