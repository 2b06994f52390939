"""No inventory leaks: lists, includes and related endpoints show only what is visible."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.api.inventory.conftest import js, site_doc
from tests.support.refusals import assert_refused
from tests.support.worlds import InventoryWorld, inventory_world


def _world(session: Session) -> InventoryWorld:
    world = inventory_world(session)
    session.commit()
    return world


def _ids(resp: object) -> set[str]:
    return {item["id"] for item in js(resp)["data"]}


def test_outsider_lists_none_of_another_tenants_nodes(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get("/api/v1/nodes/", headers=w.headers["outsider"])

    assert _ids(resp) == {w.other_node}


def test_outsider_filtering_by_another_organization_gets_nothing(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        f"/api/v1/nodes/?filter[organization]={w.org}", headers=w.headers["outsider"]
    )

    assert js(resp)["data"] == []


def test_anonymous_installation_list_shows_public_ones_only(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get("/api/v1/installations/", headers=w.headers["anonymous"])

    assert _ids(resp) == {str(w.pinst)}


def test_anonymous_include_node_never_exposes_the_node(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        f"/api/v1/installations/{w.pinst}/?include=node,room",
        headers=w.headers["anonymous"],
    )

    assert resp.status_code == 200
    assert [r["type"] for r in js(resp)["included"]] == ["Room"]
    assert "eui64" not in resp.get_data(as_text=True)


def test_outsider_include_node_of_public_installation_omits_it(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        "/api/v1/installations/?include=node", headers=w.headers["outsider"]
    )

    assert _ids(resp) == {str(w.pinst)}
    assert "included" not in js(resp)


def test_member_include_node_carries_node_with_figures(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        f"/api/v1/installations/{w.inst}/?include=node", headers=w.headers["inspector"]
    )

    (node,) = js(resp)["included"]
    assert node["id"] == w.node
    assert node["attributes"]["sample_count"] == 3


def test_anonymous_public_site_includes_its_address(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(f"/api/v1/sites/{w.psite}/", headers=w.headers["anonymous"])

    assert resp.status_code == 200
    assert js(resp)["data"]["relationships"]["address"]["data"]["id"] == str(w.paddress)
    (address,) = js(resp)["included"]
    assert (address["type"], address["id"]) == ("Address", str(w.paddress))
    assert address["attributes"]["city"]


def test_anonymous_site_list_includes_the_public_sites_addresses_only(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get("/api/v1/sites/", headers=w.headers["anonymous"])

    assert [(r["type"], r["id"]) for r in js(resp)["included"]] == [
        ("Address", str(w.paddress))
    ]


def test_anonymous_public_site_address_endpoint_answers_the_address(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        f"/api/v1/sites/{w.psite}/address/", headers=w.headers["anonymous"]
    )

    assert resp.status_code == 200
    assert js(resp)["data"]["id"] == str(w.paddress)


def test_outsider_cannot_give_a_public_sites_address_to_their_site(
    client: FlaskClient, session: Session
) -> None:
    # Sharing it would take the address's editing away from its owners.
    w = _world(session)
    body = site_doc("Borrowed", w.paddress, w.other_org)

    resp = client.post("/api/v1/sites/", json=body, headers=w.headers["outsider"])

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/address"


def test_anonymous_lists_show_only_the_public_chain(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)
    anonymous = w.headers["anonymous"]

    sites = client.get("/api/v1/sites/", headers=anonymous)
    rooms = client.get("/api/v1/rooms/", headers=anonymous)

    assert _ids(sites) == {str(w.psite)}
    assert _ids(rooms) == {str(w.proom)}


def test_outsider_address_list_is_their_own_and_public_sites(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get("/api/v1/addresses/", headers=w.headers["outsider"])

    assert _ids(resp) == {str(w.other_address), str(w.paddress)}


def test_unsupported_include_is_400_not_500(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get("/api/v1/rooms/?include=site", headers=w.headers["owner"])

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["parameter"] == "include"


def test_malformed_filter_is_400_with_parameter(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        f"/api/v1/installations/{w.inst}/?filter[from]=yesterday",
        headers=w.headers["owner"],
    )

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["parameter"] == "filter[from]"


def test_unknown_query_parameter_is_400(client: FlaskClient, session: Session) -> None:
    w = _world(session)

    assert_refused(
        client,
        "GET",
        "/api/v1/sites/?colour=blue",
        400,
        headers=w.headers["owner"],
        unchanged=(),
        parameter="colour",
    )


def test_sparse_fieldsets_keep_only_named_members(
    client: FlaskClient, session: Session
) -> None:
    w = _world(session)

    resp = client.get(
        "/api/v1/installations/?fields[Installation]=is_public,room",
        headers=w.headers["owner"],
    )

    item = js(resp)["data"][0]
    assert item["attributes"] == {"is_public": item["attributes"]["is_public"]}
    assert set(item["relationships"]) == {"room"}


def test_page_size_pages_the_list(client: FlaskClient, session: Session) -> None:
    w = _world(session)

    resp = client.get(
        "/api/v1/installations/?page[size]=1&page[number]=2", headers=w.headers["owner"]
    )

    assert len(js(resp)["data"]) == 1
    assert js(resp)["meta"]["pagination"] == {"page": 2, "pages": 2, "count": 2}


def test_openapi_documents_the_inventory_endpoints(client: FlaskClient) -> None:
    resp = client.get("/api/v1/schema/openapi.json")

    paths = js(resp)["paths"]
    assert "/api/v1/installations/{pk}/image/" in paths
    assert "/api/v1/sites/{pk}/address/" in paths
    assert "/api/v1/models/{pk}/" in paths
