"""Managair's test catalogue §13.6 (SitesTestCase, as vera) on the imported fixtures."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api.inventory.conftest import Headers, doc, js
from tests.support.refusals import assert_refused

Login = Callable[[str | None], Headers]
VERA = "veraVersuch"
HORST = "horstHilfsarbeiter"


def test_get_sites_as_member_includes_addresses(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get("/api/v1/sites/", headers=login(VERA))

    assert resp.status_code == 200
    assert len(js(resp)["data"]) == 2
    assert {(r["type"], r["id"]) for r in js(resp)["included"]} == {
        ("Address", "2"),
        ("Address", "3"),
    }


def test_get_sites_anonymous_lists_the_public_one(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get("/api/v1/sites/", headers=login(None))

    assert [s["attributes"]["name"] for s in js(resp)["data"]] == ["Prüf-Site"]
    # Managair included the address of every site it showed, also anonymously.
    assert [a["type"] for a in js(resp)["included"]] == ["Address"]


def test_get_sites_per_organization(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get(
        "/api/v1/sites/?filter[organization]=1", headers=login("priskaPrueferin")
    )

    assert len(js(resp)["data"]) == 1


def test_get_site(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/sites/2/", headers=login(VERA))

    assert js(resp)["data"]["attributes"]["name"] == "Versuchs-Site"
    assert js(resp)["included"][0]["attributes"]["street1"] == "Versuchsweg 7"


def test_patch_site_echoes_name_and_description(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc("Site", {"name": "Versuchs-Site 2", "description": "neu"}, id_=2)

    resp = mclient.patch("/api/v1/sites/2/", json=body, headers=login(VERA))

    assert resp.status_code == 200
    assert js(resp)["data"]["attributes"] == {
        "name": "Versuchs-Site 2",
        "description": "neu",
    }


def test_create_get_delete_site_round_trip(mclient: FlaskClient, login: Login) -> None:
    headers = login(VERA)
    body = doc(
        "Site",
        {"name": "Versuchsort 2"},
        {"address": ("Address", 2), "operator": ("Organization", 2)},
    )

    created = mclient.post("/api/v1/sites/", json=body, headers=headers)
    url = js(created)["data"]["links"]["self"]
    fetched = mclient.get(url, headers=headers)
    deleted = mclient.delete(url, headers=headers)
    gone = mclient.get(url, headers=headers)

    assert created.status_code == 201
    relationships = js(created)["data"]["relationships"]
    assert relationships["address"]["data"] == {"type": "Address", "id": "2"}
    assert relationships["operator"]["data"] == {"type": "Organization", "id": "2"}
    assert fetched.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_get_site_rooms(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/sites/2/rooms/", headers=login(VERA))

    assert len(js(resp)["data"]) == 1


def test_create_site_for_foreign_organization_is_refused(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc(
        "Site",
        {"name": "x"},
        {"address": ("Address", 2), "operator": ("Organization", 1)},
    )

    resp = mclient.post("/api/v1/sites/", json=body, headers=login(VERA))

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/operator"


def test_create_site_as_inspector_is_403(mclient: FlaskClient, login: Login) -> None:
    body = doc(
        "Site",
        {"name": "x"},
        {"address": ("Address", 2), "operator": ("Organization", 2)},
    )

    assert_refused(
        mclient,
        "POST",
        "/api/v1/sites/",
        403,
        json=body,
        headers=login(HORST),
        unchanged=("addresses", "sites", "rooms"),
    )


def test_patch_foreign_site_is_404(mclient: FlaskClient, login: Login) -> None:
    # The reference's test PATCHed a node URL by mistake; this is the intent.
    assert_refused(
        mclient,
        "PATCH",
        "/api/v1/sites/1/",
        404,
        json=doc("Site", {"name": "x"}, id_=1),
        headers=login(VERA),
        unchanged=("addresses", "sites", "rooms"),
    )


def test_patch_site_as_inspector_is_403(mclient: FlaskClient, login: Login) -> None:
    assert_refused(
        mclient,
        "PATCH",
        "/api/v1/sites/2/",
        403,
        json=doc("Site", {"name": "x"}, id_=2),
        headers=login(HORST),
        unchanged=("addresses", "sites", "rooms"),
    )


def test_create_duplicate_site_name_is_409(mclient: FlaskClient, login: Login) -> None:
    body = doc(
        "Site",
        {"name": "Prüf-Site"},
        {"address": ("Address", 2), "operator": ("Organization", 2)},
    )

    resp = mclient.post("/api/v1/sites/", json=body, headers=login(VERA))

    assert resp.status_code == 409
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/name"


def test_create_site_with_invisible_address_is_400(
    mclient: FlaskClient, login: Login
) -> None:
    # Fixed: the reference let a site reference any address id.
    body = doc(
        "Site",
        {"name": "x"},
        {"address": ("Address", 1), "operator": ("Organization", 2)},
    )

    resp = mclient.post("/api/v1/sites/", json=body, headers=login(VERA))

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/address"
