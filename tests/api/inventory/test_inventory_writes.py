"""Inventory write rules beyond the reference's catalogue: moves, addresses, EUIs, PUT."""

from __future__ import annotations

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Organization, Role
from app.services.accounts.tokens import issue_user_key
from tests.api.inventory.conftest import doc, js
from tests.factories import (
    make_membership,
    make_organization,
    make_site,
    make_user,
)
from tests.support.refusals import assert_refused
from tests.support.worlds import InventoryWorld, inventory_world


def _org(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    assert org is not None
    return org


def _world(session: Session) -> InventoryWorld:
    world = inventory_world(session)
    session.commit()
    return world


def _owner_of_both(session: Session, w: InventoryWorld) -> dict[str, str]:
    """Headers of a user who owns organization A and a second organization."""
    user = make_user(session)
    make_membership(session, user, _org(session, w.org), Role.OWNER)
    second = make_organization(session)
    make_membership(session, user, second, Role.OWNER)
    key = issue_user_key(session, user).key
    session.commit()
    return {"Authorization": f"Token {key}", "X-Org": str(second.id)}


def test_move_node_to_second_owned_organization_succeeds(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    headers = _owner_of_both(session, w)
    target = headers.pop("X-Org")

    resp = client.patch(
        f"/api/v1/nodes/{w.spare_node}/",
        json=doc("Node", {}, {"owner": ("Organization", target)}, w.spare_node),
        headers=headers,
    )

    assert resp.status_code == 200
    assert js(resp)["data"]["relationships"]["owner"]["data"]["id"] == target


def test_move_node_to_visible_but_not_owned_organization_is_403(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    user = make_user(session)
    make_membership(session, user, _org(session, w.org), Role.OWNER)
    make_membership(session, user, _org(session, w.other_org), Role.INSPECTOR)
    headers = {"Authorization": f"Token {issue_user_key(session, user).key}"}
    session.commit()

    resp = client.patch(
        f"/api/v1/nodes/{w.spare_node}/",
        json=doc("Node", {}, {"owner": ("Organization", w.other_org)}, w.spare_node),
        headers=headers,
    )

    assert resp.status_code == 403
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/owner"


def test_move_installed_node_to_other_organization_is_409(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    headers = _owner_of_both(session, w)
    target = headers.pop("X-Org")

    resp = client.patch(
        f"/api/v1/nodes/{w.node}/",
        json=doc("Node", {}, {"owner": ("Organization", target)}, w.node),
        headers=headers,
    )

    assert resp.status_code == 409
    assert f"installation {w.inst}" in js(resp)["errors"][0]["detail"]


def test_move_site_with_installations_is_409_and_empty_site_moves(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    headers = _owner_of_both(session, w)
    target = headers.pop("X-Org")
    empty = make_site(session, operator=_org(session, w.org))
    session.commit()

    assert_refused(
        client,
        "PATCH",
        f"/api/v1/sites/{w.site}/",
        409,
        json=doc("Site", {}, {"operator": ("Organization", target)}, w.site),
        headers=headers,
        unchanged=("sites", "rooms", "installations"),
        pointer="/data/relationships/operator",
    )
    moved = client.patch(
        f"/api/v1/sites/{empty.id}/",
        json=doc("Site", {}, {"operator": ("Organization", target)}, empty.id),
        headers=headers,
    )

    assert moved.status_code == 200
    assert js(moved)["data"]["relationships"]["operator"]["data"]["id"] == target


def test_move_room_to_site_of_other_owned_organization_needs_no_installations(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    headers = _owner_of_both(session, w)
    target_site = make_site(session, operator=_org(session, int(headers.pop("X-Org"))))
    session.commit()

    resp = client.patch(
        f"/api/v1/rooms/{w.room}/",
        json=doc("Room", {}, {"site": ("Site", target_site.id)}, w.room),
        headers=headers,
    )

    assert resp.status_code == 409
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/site"


def test_new_address_is_visible_to_its_creator_only_until_used(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    body = doc("Address", {"street1": "Neu 1", "zip": "10115", "city": "Berlin"})
    created = client.post("/api/v1/addresses/", json=body, headers=w.headers["owner"])
    url = js(created)["data"]["links"]["self"]

    mine = client.get(url, headers=w.headers["owner"])
    theirs = client.get(url, headers=w.headers["inspector"])

    assert (mine.status_code, theirs.status_code) == (200, 404)


def test_unused_address_can_be_deleted_by_its_creator(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    body = doc("Address", {"street1": "Neu 1", "zip": "10115", "city": "Berlin"})
    created = client.post(
        "/api/v1/addresses/", json=body, headers=w.headers["outsider"]
    )

    resp = client.delete(
        js(created)["data"]["links"]["self"], headers=w.headers["outsider"]
    )

    assert resp.status_code == 204


def test_address_in_use_delete_is_409_naming_the_site(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.delete(f"/api/v1/addresses/{w.address}/", headers=w.headers["owner"])

    assert resp.status_code == 409
    assert "site" in js(resp)["errors"][0]["detail"]


def test_address_coordinates_render_with_six_places(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    body = doc(
        "Address",
        {"street1": "A 1", "zip": "10115", "city": "Berlin", "latitude": 52.5},
    )

    resp = client.post("/api/v1/addresses/", json=body, headers=w.headers["owner"])

    assert js(resp)["data"]["attributes"]["latitude"] == "52.500000"
    assert js(resp)["data"]["attributes"]["longitude"] is None


def test_node_eui_is_unique_case_insensitively(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    rels = {
        "protocol": ("Protocol", w.protocol),
        "model": ("Model", w.model),
        "owner": ("Organization", w.org),
    }
    first = client.post(
        "/api/v1/nodes/",
        json=doc("Node", {"eui64": "70b3d57ed0041234", "alias": "a"}, rels),
        headers=w.headers["owner"],
    )

    second = client.post(
        "/api/v1/nodes/",
        json=doc("Node", {"eui64": "70:B3:D5:7E:D0:04:12:34", "alias": "b"}, rels),
        headers=w.headers["owner"],
    )

    assert js(first)["data"]["attributes"]["eui64"] == "70B3D57ED0041234"
    assert second.status_code == 409
    assert js(second)["errors"][0]["source"]["pointer"] == "/data/attributes/eui64"


def test_node_without_client_id_gets_a_server_uuid(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    body = doc(
        "Node",
        {"eui64": "70B3D57ED0049999", "alias": "a"},
        {
            "protocol": ("Protocol", w.protocol),
            "model": ("Model", w.model),
            "owner": ("Organization", w.org),
        },
    )

    resp = client.post("/api/v1/nodes/", json=body, headers=w.headers["owner"])

    assert resp.status_code == 201
    assert len(js(resp)["data"]["id"]) == 36


def test_node_search_matches_every_term(client: FlaskClient, session: Session) -> None:
    w = _world(session)
    client.patch(
        f"/api/v1/nodes/{w.node}/",
        json=doc("Node", {"alias": "Fenster links"}, id_=w.node),
        headers=w.headers["owner"],
    )

    hit = client.get(
        "/api/v1/nodes/?filter[search]=links,fenst", headers=w.headers["owner"]
    )
    miss = client.get(
        "/api/v1/nodes/?filter[search]=links rechts", headers=w.headers["owner"]
    )

    assert [n["id"] for n in js(hit)["data"]] == [w.node]
    assert js(miss)["data"] == []


def test_include_timeseries_false_words_disable_it(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    answers = [
        client.get(
            f"/api/v1/nodes/{w.node}/?include_timeseries={value}",
            headers=w.headers["owner"],
        )
        for value in ("", "0", "false", "No", "yes", "False!")
    ]

    flags = ["timeseries" in js(a)["data"]["attributes"] for a in answers]
    assert flags == [False, False, False, False, True, True]


def test_patch_installation_end_closes_it(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.patch(
        f"/api/v1/installations/{w.inst}/",
        json=doc("Installation", {"to_timestamp_s": 1800000000}, id_=w.inst),
        headers=w.headers["owner"],
    )
    reopened = client.patch(
        f"/api/v1/installations/{w.inst}/",
        json=doc("Installation", {"to_timestamp_s": 2147483647}, id_=w.inst),
        headers=w.headers["owner"],
    )

    assert js(resp)["data"]["attributes"]["to_timestamp_s"] == 1800000000
    assert js(reopened)["data"]["attributes"]["to_timestamp_s"] == 2147483647


def _named(w: InventoryWorld, kind: str, name: str) -> dict[str, object]:
    """A create body of ``kind`` with ``name``, in organization A's public chain."""
    if kind == "Room":
        return doc("Room", {"name": name}, {"site": ("Site", w.psite)})
    if kind == "Site":
        relationships = {
            "address": ("Address", w.paddress),
            "operator": ("Organization", w.org),
        }
        return doc("Site", {"name": name}, relationships)
    return doc("Quantity", {"quantity": name, "base_unit": "ppm"})


#: kind: (URL, name attribute, actor, the world's attribute holding a taken name)
NAMED = {
    "Room": ("/api/v1/rooms/", "name", "owner", "proom_name"),
    "Site": ("/api/v1/sites/", "name", "owner", "psite_name"),
    "Quantity": ("/api/v1/quantities/", "quantity", "staff", "quantity_name"),
}


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_names_are_trimmed_so_a_padded_copy_of_a_taken_name_is_409(
    client: FlaskClient, session: Session, kind: str
) -> None:
    w = _world(session)
    url, attribute, actor, taken = NAMED[kind]
    headers = w.headers[actor]

    copy = assert_refused(
        client,
        "POST",
        url,
        409,
        pointer=f"/data/attributes/{attribute}",
        unchanged=("sites", "rooms", "quantities"),
        json=_named(w, kind, f" {getattr(w, taken)}\t"),
        headers=headers,
    )
    blank = assert_refused(
        client,
        "POST",
        url,
        400,
        pointer=f"/data/attributes/{attribute}",
        unchanged=("sites", "rooms", "quantities"),
        json=_named(w, kind, " \t "),
        headers=headers,
    )
    fresh = client.post(url, json=_named(w, kind, "  Neu 1 "), headers=headers)

    assert copy.status_code == 409
    assert js(blank)["errors"][0]["detail"] == "This field may not be blank."
    assert fresh.status_code == 201, js(fresh)
    assert js(fresh)["data"]["attributes"][attribute] == "Neu 1"


@pytest.mark.parametrize(
    ("type_", "path", "attribute", "world_attr"),
    [("Room", "rooms", "name", "room"), ("Node", "nodes", "alias", "node")],
)
def test_patch_trims_a_name(
    client: FlaskClient,
    session: Session,
    type_: str,
    path: str,
    attribute: str,
    world_attr: str,
) -> None:
    """Names and node aliases are shown, sorted and written to CSV cells: white
    space around them is a typing slip, kept out as organization names are."""
    w = _world(session)
    pk = getattr(w, world_attr)

    resp = client.patch(
        f"/api/v1/{path}/{pk}/",
        json=doc(type_, {attribute: " Klasse 5a "}, id_=pk),
        headers=w.headers["owner"],
    )

    assert resp.status_code == 200
    assert js(resp)["data"]["attributes"][attribute] == "Klasse 5a"
