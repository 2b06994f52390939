"""Managair's test catalogue §13.5 (rooms and installations, as vera) on the fixtures."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from flask import Flask
from flask.testing import FlaskClient

from app.jsonapi.fields import WHOLE_NUMBER
from tests.api.inventory.conftest import Headers, doc, js
from tests.support.managair_data import hpi_node_id
from tests.support.refusals import assert_refused

SCHWARZ = "3b95a1b2-74e7-9e98-52c4-4acae441f0ae"
ERS = "9d02faee-4260-1377-22ec-936428b572ee"
ROT = "c727b2f8-8377-d4cb-0e95-ac03200b8c93"
Login = Callable[[str | None], Headers]
VERA = "veraVersuch"
HORST = "horstHilfsarbeiter"


def _count(mclient: FlaskClient, url: str, headers: Headers) -> int:
    resp = mclient.get(url, headers=headers)
    assert resp.status_code == 200, js(resp)
    return len(js(resp)["data"])


# -- rooms ------------------------------------------------------------------------


def test_get_rooms_as_member_lists_two(mclient: FlaskClient, login: Login) -> None:
    assert _count(mclient, "/api/v1/rooms/", login(VERA)) == 2


def test_get_rooms_anonymous_lists_the_public_one(
    mclient: FlaskClient, login: Login
) -> None:
    assert _count(mclient, "/api/v1/rooms/", login(None)) == 1


def test_get_rooms_per_organization(mclient: FlaskClient, login: Login) -> None:
    url = "/api/v1/rooms/?filter[organization]=1"

    assert _count(mclient, url, login("priskaPrueferin")) == 2


def test_get_rooms_per_site(mclient: FlaskClient, login: Login) -> None:
    assert _count(mclient, "/api/v1/rooms/?filter[site]=2", login(VERA)) == 1


def test_get_room_renders_decimals_as_strings(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get("/api/v1/rooms/3/", headers=login(VERA))

    attributes = js(resp)["data"]["attributes"]
    assert attributes["name"] == "Versuchsraum 1"
    assert attributes["max_occupancy"] == 17
    assert attributes["size_sqm"] == "33.0"


def test_patch_room_echoes_height(mclient: FlaskClient, login: Login) -> None:
    body = doc("Room", {"description": "neu", "height_m": "2.7"}, id_=3)

    resp = mclient.patch("/api/v1/rooms/3/", json=body, headers=login(VERA))

    assert resp.status_code == 200
    assert js(resp)["data"]["attributes"]["height_m"] == "2.7"
    assert js(resp)["data"]["attributes"]["description"] == "neu"


def test_patch_room_occupancy_takes_a_whole_number_and_refuses_a_fraction(
    mclient: FlaskClient, login: Login
) -> None:
    headers = login(VERA)

    whole = mclient.patch(
        "/api/v1/rooms/3/",
        json=doc("Room", {"max_occupancy": 20.0}, id_=3),
        headers=headers,
    )
    fraction = assert_refused(
        mclient,
        "PATCH",
        "/api/v1/rooms/3/",
        400,
        pointer="/data/attributes/max_occupancy",
        unchanged=("rooms",),
        json=doc("Room", {"max_occupancy": 1.5}, id_=3),
        headers=headers,
    )

    assert whole.status_code == 200
    assert js(whole)["data"]["attributes"]["max_occupancy"] == 20
    assert [e["detail"] for e in js(fraction)["errors"]] == [WHOLE_NUMBER]


def test_create_get_delete_room_round_trip(mclient: FlaskClient, login: Login) -> None:
    headers = login(VERA)
    body = doc(
        "Room",
        {"name": "Räumchen", "size_sqm": "5", "height_m": "2.6", "max_occupancy": 1},
        {"site": ("Site", 3)},
    )

    created = mclient.post("/api/v1/rooms/", json=body, headers=headers)
    url = js(created)["data"]["links"]["self"]
    fetched = mclient.get(url, headers=headers)
    deleted = mclient.delete(url.rstrip("/"), headers=headers)
    gone = mclient.get(url, headers=headers)

    assert created.status_code == 201
    assert js(created)["data"]["attributes"]["size_sqm"] == "5.0"
    assert fetched.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_get_room_installations(mclient: FlaskClient, login: Login) -> None:
    assert _count(mclient, "/api/v1/rooms/3/installations/", login(VERA)) == 1


def test_create_room_in_foreign_site_is_refused(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc("Room", {"name": "x"}, {"site": ("Site", 1)})

    resp = mclient.post("/api/v1/rooms/", json=body, headers=login(VERA))

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/site"


def test_create_room_as_inspector_is_403(mclient: FlaskClient, login: Login) -> None:
    body = doc("Room", {"name": "x"}, {"site": ("Site", 2)})

    assert_refused(
        mclient,
        "POST",
        "/api/v1/rooms/",
        403,
        json=body,
        headers=login(HORST),
        unchanged=("sites", "rooms", "installations", "nodes"),
    )


def test_patch_foreign_room_is_404(mclient: FlaskClient, login: Login) -> None:
    assert_refused(
        mclient,
        "PATCH",
        "/api/v1/rooms/1/",
        404,
        json=doc("Room", {"name": "x"}, id_=1),
        headers=login(VERA),
        unchanged=("sites", "rooms", "installations", "nodes"),
    )


def test_patch_room_as_inspector_is_403(mclient: FlaskClient, login: Login) -> None:
    assert_refused(
        mclient,
        "PATCH",
        "/api/v1/rooms/3/",
        403,
        json=doc("Room", {"name": "x"}, id_=3),
        headers=login(HORST),
        unchanged=("sites", "rooms", "installations", "nodes"),
    )


# -- installations ----------------------------------------------------------------


def test_get_installations_as_member(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/installations/", headers=login(VERA))

    assert len(js(resp)["data"]) == 2
    assert all("timeseries" not in i["attributes"] for i in js(resp)["data"])


def test_get_installations_anonymous_lists_the_public_one(
    mclient: FlaskClient, login: Login
) -> None:
    assert _count(mclient, "/api/v1/installations/", login(None)) == 1


def test_get_installations_per_organization(mclient: FlaskClient, login: Login) -> None:
    url = "/api/v1/installations/?filter[organization]=1"

    assert _count(mclient, url, login("priskaPrueferin")) == 1


def test_get_installations_per_site(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/installations/?filter[site]=3", headers=login(VERA))

    assert [i["attributes"]["from_timestamp_s"] for i in js(resp)["data"]] == [
        1602720001
    ]


def test_get_installations_per_room(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/installations/?filter[room]=3", headers=login(VERA))

    assert [i["attributes"]["from_timestamp_s"] for i in js(resp)["data"]] == [
        1601510400
    ]


def test_get_installations_per_node_is_applied(
    mclient: FlaskClient, login: Login
) -> None:
    # Fixed: the reference ignored filter[node]; priska sees installations of
    # two organizations, so an ignored filter would return three.
    resp = mclient.get(
        f"/api/v1/installations/?filter[node]={SCHWARZ}",
        headers=login("priskaPrueferin"),
    )

    assert {i["relationships"]["node"]["data"]["id"] for i in js(resp)["data"]} == {
        SCHWARZ
    }
    assert len(js(resp)["data"]) == 2


def test_get_installation(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/installations/2/", headers=login(VERA))

    assert js(resp)["data"]["attributes"]["from_timestamp_s"] == 1601510400


def test_get_installation_with_timeseries(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get(
        "/api/v1/installations/2/?include_timeseries", headers=login(VERA)
    )

    assert resp.status_code == 200
    assert "timeseries" not in js(resp)["data"]["attributes"]  # empty value: off
    resp = mclient.get(
        "/api/v1/installations/2/?include_timeseries=1", headers=login(VERA)
    )
    assert len(js(resp)["data"]["attributes"]["timeseries"]) == 468


def test_get_installation_with_timeseries_slice(
    mclient: FlaskClient, login: Login
) -> None:
    resp = mclient.get(
        "/api/v1/installations/2/?include_timeseries=True"
        "&filter[from]=1601675365&filter[to]=1601738613",
        headers=login(VERA),
    )

    attributes = js(resp)["data"]["attributes"]
    assert len(attributes["timeseries"]) == 71
    assert attributes["sample_count"] == 71
    assert attributes["from_timestamp_s"] == 1601510400


def test_patch_installation_with_both_relationships(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc(
        "Installation",
        {"from_timestamp_s": 1601510000, "is_public": True},
        {"room": ("Room", 3), "node": ("Node", SCHWARZ)},
        id_=2,
    )

    resp = mclient.patch("/api/v1/installations/2/", json=body, headers=login(VERA))

    assert resp.status_code == 200
    assert js(resp)["data"]["attributes"]["from_timestamp_s"] == 1601510000
    assert js(resp)["data"]["attributes"]["is_public"] is True


def test_toggle_installation_publicity(mclient: FlaskClient, login: Login) -> None:
    headers = login(VERA)

    on = mclient.patch(
        "/api/v1/installations/2/",
        json=doc("Installation", {"is_public": True}, id_=2),
        headers=headers,
    )
    off = mclient.patch(
        "/api/v1/installations/2/",
        json=doc("Installation", {"is_public": False}, id_=2),
        headers=headers,
    )

    assert (on.status_code, off.status_code) == (200, 200)
    assert js(on)["data"]["attributes"]["is_public"] is True
    assert js(off)["data"]["attributes"]["is_public"] is False


def test_create_get_delete_installation_round_trip(
    mclient: FlaskClient, login: Login
) -> None:
    headers = login(VERA)
    body = doc(
        "Installation",
        {"from_timestamp_s": 1601500000},
        {"room": ("Room", 4), "node": ("Node", ERS)},
    )

    created = mclient.post("/api/v1/installations/", json=body, headers=headers)
    url = js(created)["data"]["links"]["self"]
    fetched = mclient.get(url, headers=headers)
    deleted = mclient.delete(url, headers=headers)
    gone = mclient.get(url, headers=headers)

    assert created.status_code == 201
    assert js(created)["data"]["attributes"]["to_timestamp_s"] == 2147483647
    assert js(created)["data"]["relationships"]["node"]["data"]["id"] == ERS
    assert js(created)["data"]["relationships"]["room"]["data"]["id"] == "4"
    assert fetched.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_upload_image_stores_and_serves_it(
    app: Flask,
    mclient: FlaskClient,
    login: Login,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path))
    buffer = BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "JPEG")
    headers = {"Authorization": login(VERA)["Authorization"]}

    resp = mclient.put(
        "/api/v1/installations/2/image/",
        data={"image": (BytesIO(buffer.getvalue()), "sensor.jpeg")},
        headers=headers,
        content_type="multipart/form-data",
    )

    assert resp.status_code == 200
    url = js(resp)["data"]["attributes"]["image"]
    assert url.startswith("http://localhost/media/")
    assert url.endswith(".jpeg")
    served = mclient.get(url, headers=headers)  # a private installation: members only
    assert served.status_code == 200
    assert served.data == buffer.getvalue()
    served.close()
    assert [p.name for p in tmp_path.iterdir()] == [url.rsplit("/", 1)[-1]]


def test_node_room_owner_mismatch_is_400(mclient: FlaskClient, login: Login) -> None:
    # priska owns organization 2 and is inspector of 1; tom owns 1 and 3.
    body = doc(
        "Installation",
        {"from_timestamp_s": 1601500000},
        {"room": ("Room", 1), "node": ("Node", hpi_node_id("a81758fffe053cab"))},
    )

    resp = mclient.post("/api/v1/installations/", json=body, headers=login("tomTester"))

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["detail"] == (
        "In an installation, node and room must belong to the same owner."
    )


def test_get_installation_room(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/installations/2/room/", headers=login(VERA))

    assert js(resp)["data"]["attributes"]["name"] == "Versuchsraum 1"


def test_get_installation_node(mclient: FlaskClient, login: Login) -> None:
    resp = mclient.get("/api/v1/installations/2/node/", headers=login(VERA))

    assert js(resp)["data"]["id"] == SCHWARZ


def test_create_installation_of_foreign_inventory_is_refused(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc(
        "Installation",
        {"from_timestamp_s": 1601500000},
        {"room": ("Room", 2), "node": ("Node", ROT)},
    )

    resp = mclient.post("/api/v1/installations/", json=body, headers=login(VERA))

    assert resp.status_code == 400
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/relationships/room"


def test_create_installation_as_inspector_is_403(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc(
        "Installation",
        {"from_timestamp_s": 1501500000, "to_timestamp_s": 1501600000},
        {"room": ("Room", 3), "node": ("Node", SCHWARZ)},
    )

    assert_refused(
        mclient,
        "POST",
        "/api/v1/installations/",
        403,
        json=body,
        headers=login(HORST),
        unchanged=("sites", "rooms", "installations", "nodes"),
    )


def test_patch_foreign_installation_is_404(mclient: FlaskClient, login: Login) -> None:
    assert_refused(
        mclient,
        "PATCH",
        "/api/v1/installations/1/",
        404,
        json=doc("Installation", {"is_public": True}, id_=1),
        headers=login(VERA),
        unchanged=("sites", "rooms", "installations", "nodes"),
    )


def test_patch_installation_as_inspector_is_403(
    mclient: FlaskClient, login: Login
) -> None:
    assert_refused(
        mclient,
        "PATCH",
        "/api/v1/installations/2/",
        403,
        json=doc("Installation", {"is_public": True}, id_=2),
        headers=login(HORST),
        unchanged=("sites", "rooms", "installations", "nodes"),
    )


def test_create_overlapping_installation_is_400_naming_it(
    mclient: FlaskClient, login: Login
) -> None:
    # Fixed: the reference accepted overlapping installations of one node.
    body = doc(
        "Installation",
        {"from_timestamp_s": 1602000000, "to_timestamp_s": 1602100000},
        {"room": ("Room", 4), "node": ("Node", SCHWARZ)},
    )

    resp = mclient.post("/api/v1/installations/", json=body, headers=login(VERA))

    assert resp.status_code == 400
    error = js(resp)["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/from_timestamp_s"
    assert "installation 2" in error["detail"]
    assert "Versuchsraum 1" in error["detail"]
