"""Managair's test catalogue §13.3 (NodeTestCase, as vera) on the imported fixtures."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api.inventory.conftest import Headers, doc, js
from tests.support.refusals import assert_refused

SCHWARZ = "3b95a1b2-74e7-9e98-52c4-4acae441f0ae"
Login = Callable[[str | None], Headers]


def test_get_nodes_as_member_lists_own_nodes(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get("/api/v1/nodes/", headers=login("veraVersuch"))

    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.api+json"
    assert len(js(resp)["data"]) == 2


def test_get_nodes_anonymous_is_401(mclient: FlaskClient, login: Login) -> None:
    assert_refused(
        mclient,
        "GET",
        "/api/v1/nodes/",
        401,
        headers=login(None),
        unchanged=("nodes", "installations"),
    )


def test_get_nodes_per_organization_filters(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get(
        "/api/v1/nodes/?filter[organization]=2", headers=login("priskaPrueferin")
    )

    assert resp.status_code == 200
    assert len(js(resp)["data"]) == 2


def test_get_nodes_list_item_has_sample_figures(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get("/api/v1/nodes/", headers=login("veraVersuch"))

    item = next(n for n in js(resp)["data"] if n["id"] == SCHWARZ)
    assert item["attributes"]["eui64"] == "003CB7EA62A7DCBB"
    assert item["attributes"]["sample_count"] == 589
    assert item["attributes"]["latest_sample"] == {
        "timestamp_s": 1603581327,
        "co2_ppm": 740,
        "temperature_celsius": "23.0",
        "rel_humidity_percent": 60,
        "measurement_status": "M",
    }


def test_get_node_detail_has_no_timeseries(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get(f"/api/v1/nodes/{SCHWARZ}/", headers=login("veraVersuch"))

    assert resp.status_code == 200
    assert js(resp)["data"]["attributes"]["alias"] == "Clairchen Schwarz"
    assert "timeseries" not in js(resp)["data"]["attributes"]


def test_get_node_with_timeseries_returns_every_sample(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get(
        f"/api/v1/nodes/{SCHWARZ}/?include_timeseries=True",
        headers=login("veraVersuch"),
    )

    series = js(resp)["data"]["attributes"]["timeseries"]
    assert len(series) == 589
    assert series == sorted(series, key=lambda s: s["timestamp_s"])


def test_get_node_slice_counts_and_bounds_samples_inside(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get(
        f"/api/v1/nodes/{SCHWARZ}/?include_timeseries=1"
        "&filter[from]=1601725200&filter[to]=1601795400",
        headers=login("veraVersuch"),
    )

    attributes = js(resp)["data"]["attributes"]
    assert attributes["sample_count"] == 39
    assert len(attributes["timeseries"]) == 39
    assert attributes["from_timestamp_s"] == attributes["timeseries"][0]["timestamp_s"]
    assert attributes["to_timestamp_s"] == attributes["timeseries"][-1]["timestamp_s"]


def test_patch_node_as_owner_returns_complete_node(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc(
        "Node",
        {"eui64": "003cb7ea62a7dcbb", "alias": "Clairchen Black", "description": "x"},
        id_=SCHWARZ,
    )

    resp = mclient.patch(
        f"/api/v1/nodes/{SCHWARZ}/", json=body, headers=login("veraVersuch")
    )

    assert resp.status_code == 200
    attributes = js(resp)["data"]["attributes"]
    assert attributes["alias"] == "Clairchen Black"
    assert attributes["eui64"] == "003CB7EA62A7DCBB"
    assert attributes["sample_count"] == 589
    assert set(js(resp)["data"]["relationships"]) == {
        "protocol",
        "model",
        "owner",
        "installations",
        "fidelity",
    }


def test_create_get_delete_node_round_trip(mclient: FlaskClient, login: Login) -> None:
    headers = login("veraVersuch")
    node_id = "0094826d-05b4-4d0c-84b6-2e2df4c7c7f5"
    body = doc(
        "Node",
        {"eui64": "fefffffffdff0000", "alias": "Testnode"},
        {
            "protocol": ("Protocol", 1),
            "model": ("Model", 1),
            "owner": ("Organization", 2),
        },
        id_=node_id,
    )

    created = mclient.post("/api/v1/nodes/", json=body, headers=headers)
    fetched = mclient.get(js(created)["data"]["links"]["self"], headers=headers)
    deleted = mclient.delete(f"/api/v1/nodes/{node_id}", headers=headers)
    gone = mclient.get(f"/api/v1/nodes/{node_id}/", headers=headers)

    assert created.status_code == 201
    assert js(created)["data"]["id"] == node_id
    assert created.headers["Location"] == js(created)["data"]["links"]["self"]
    assert fetched.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_get_node_installations_lists_both(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get(
        f"/api/v1/nodes/{SCHWARZ}/installations/", headers=login("veraVersuch")
    )

    assert resp.status_code == 200
    assert len(js(resp)["data"]) == 2


def test_create_node_for_foreign_organization_is_refused(
    mclient: FlaskClient, login: Login
) -> None:
    # The reference answered 403; an invisible organization is now reported
    # like a missing one, so bodies cannot probe other tenants' ids.
    body = doc(
        "Node",
        {"eui64": "fefffffffdff0001", "alias": "x"},
        {
            "protocol": ("Protocol", 1),
            "model": ("Model", 1),
            "owner": ("Organization", 1),
        },
    )

    resp = mclient.post("/api/v1/nodes/", json=body, headers=login("veraVersuch"))

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/owner"


def test_create_node_as_inspector_is_403(mclient: FlaskClient, login: Login) -> None:
    body = doc(
        "Node",
        {"eui64": "fefffffffdff0001", "alias": "x"},
        {
            "protocol": ("Protocol", 1),
            "model": ("Model", 1),
            "owner": ("Organization", 2),
        },
    )

    assert_refused(
        mclient,
        "POST",
        "/api/v1/nodes/",
        403,
        json=body,
        headers=login("horstHilfsarbeiter"),
        unchanged=("nodes", "installations"),
    )


def test_patch_node_of_foreign_organization_is_404(
    mclient: FlaskClient, login: Login
) -> None:
    rot = "c727b2f8-8377-d4cb-0e95-ac03200b8c93"
    body = doc("Node", {"alias": "mine"}, id_=rot)

    assert_refused(
        mclient,
        "PATCH",
        f"/api/v1/nodes/{rot}/",
        404,
        json=body,
        headers=login("veraVersuch"),
        unchanged=("nodes", "installations"),
    )


def test_patch_node_as_inspector_is_403(mclient: FlaskClient, login: Login) -> None:
    body = doc("Node", {"alias": "mine"}, id_=SCHWARZ)

    assert_refused(
        mclient,
        "PATCH",
        f"/api/v1/nodes/{SCHWARZ}/",
        403,
        json=body,
        headers=login("horstHilfsarbeiter"),
        unchanged=("nodes", "installations"),
    )
