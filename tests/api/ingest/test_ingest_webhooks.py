"""LoRaWAN webhooks: the contract's worked examples (§3.6) end to end, and the 4xx paths."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Node, Organization, Sample
from app.services.ingest.decoders import derive_node_id
from tests.factories import (
    make_ingest_key,
    make_node,
    make_organization,
    make_protocol,
)
from tests.support.refusals import assert_refused

TTN = "/ingest/v1/ttn/"
CHIRPSTACK = "/ingest/v1/chirpstack/?event=up"


def _doc(response: Any) -> Any:
    """The JSON body of a response (a document on every ingest answer)."""
    body = response.get_json()
    assert body is not None
    return body


@pytest.fixture
def org(session: Session) -> Organization:
    return make_organization(session)


@pytest.fixture
def auth(session: Session, org: Organization) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_ingest_key(session, org)}"}


def _node(
    session: Session, org: Organization, protocol: str, name: str, eui: str
) -> Node:
    return make_node(
        session,
        owner=org,
        id=derive_node_id(name, eui),
        eui64=eui,
        protocol_id=make_protocol(session, identifier=protocol).id,
    )


def _ttn(
    dev_eui: str, payload: str | None, received_at: str, **uplink: Any
) -> dict[str, Any]:
    message: dict[str, Any] = {"received_at": received_at, **uplink}
    if payload is not None:
        message["frm_payload"] = payload
    return {
        "end_device_ids": {
            "device_id": "eui-" + dev_eui.lower(),
            "application_ids": {"application_id": "clair"},
            "dev_eui": dev_eui,
        },
        "received_at": "2030-01-01T00:00:00Z",  # the top-level time is not used
        "uplink_message": message,
    }


def _chirpstack(
    dev_eui: str, payload: bytes, time: str, **extra: Any
) -> dict[str, Any]:
    return {
        "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
        "time": time,
        "deviceInfo": {"tenantId": "52f14cd4", "devEui": dev_eui.lower()},
        "fPort": 5,
        "data": base64.b64encode(payload).decode(),
        **extra,
    }


def _samples(
    session: Session, node: Node
) -> list[tuple[int, int, str | None, int | None]]:
    rows = session.scalars(
        select(Sample).where(Sample.node_id == node.id).order_by(Sample.time)
    ).all()
    return [
        (
            int(r.time.timestamp()),
            r.co2_ppm,
            None if r.temperature_celsius is None else str(r.temperature_celsius),
            r.rel_humidity_percent,
        )
        for r in rows
    ]


def test_ttn_example_a_clairchen_stores_three_samples(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "CLAIRCHENPROT_V01", "CLAIRCHEN", "9876B600001193E0")
    body = _ttn(
        "9876B600001193E0",
        "Aie0KLQotA==",
        "2021-09-20T12:25:52.973476075Z",
        f_port=1,
        settings={"data_rate_index": 3},
    )

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 200
    assert str(node.id) == "c727b2f8-8377-d4cb-0e95-ac03200b8c93"
    assert _samples(session, node) == [
        (1632140397, 780, "22.0", 50),
        (1632140575, 800, "22.0", 50),
        (1632140753, 800, "22.0", 50),
    ]
    assert _doc(response)["meta"]["stored"] == 3
    assert [r["attributes"]["timestamp_s"] for r in _doc(response)["data"]] == [
        1632140397,
        1632140575,
        1632140753,
    ]


def test_ttn_example_b_ers_without_data_rate_stores_newest_first_values(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("A81758FFFE053C84", "BgLHBgKrBgL6", "2021-09-21T10:35:57.125514417Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 200
    assert str(node.id) == "66b8ccaa-90b9-2d24-bf59-0ea9e23b3bb4"
    assert _samples(session, node) == [
        (1632219845, 762, None, None),
        (1632220201, 683, None, None),
        (1632220557, 711, None, None),
    ]


def test_chirpstack_example_c_ers_with_climate_stores_two_samples(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE052B0F")
    payload = bytes.fromhex("0100C402340603540100C4023406035F")
    body = _chirpstack("A81758FFFE052B0F", payload, "2021-09-21T10:35:57.125514Z")

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 200
    assert str(node.id) == "9d02faee-4260-1377-22ec-936428b572ee"
    assert _samples(session, node) == [
        (1632220231, 863, "19.6", 52),
        (1632220557, 852, "19.6", 52),
    ]


def test_chirpstack_example_d_oy1012_stores_one_sample(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    body = _chirpstack(
        "70B3D5E75E000001", bytes.fromhex("3E441D021B"), "2021-09-21T10:35:56.6Z"
    )

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 200
    assert _samples(session, node) == [(1632220557, 539, "19.3", 85)]


@pytest.mark.parametrize(
    ("rx_info", "pointer"),
    [
        ([{"nsTime": "garbage"}], "/rxInfo/0/nsTime"),
        ([{"gwTime": "2021-09-21T10:35:57"}, {"nsTime": "x"}], "/rxInfo/0/gwTime"),
    ],
)
def test_chirpstack_unreadable_receive_time_points_at_the_rx_info_member(
    client: FlaskClient,
    session: Session,
    org: Organization,
    auth: dict[str, str],
    rx_info: list[dict[str, str]],
    pointer: str,
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    body = _chirpstack("70B3D5E75E000001", bytes.fromhex("3E441D021B"), "")
    del body["time"]
    body["rxInfo"] = rx_info

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["source"] == {"pointer": pointer}
    assert _samples(session, node) == []


def test_chirpstack_receive_time_falls_back_to_the_first_rx_info(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    body = _chirpstack("70B3D5E75E000001", bytes.fromhex("3E441D021B"), "")
    del body["time"]
    body["rxInfo"] = [{"gwTime": "2021-09-21T10:35:56.6Z"}]

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 200
    assert _samples(session, node) == [(1632220557, 539, "19.3", 85)]


def test_ttn_spreading_factor_setting_selects_the_clairchen_interval(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "CLAIRCHENPROT_V01", "CLAIRCHEN", "9876B600001193E1")
    lora = {"lora": {"spreading_factor": 12, "bandwidth": 125000}}
    body = _ttn(
        "9876B600001193E1",
        base64.b64encode(bytes([0x01, 0x14, 0xB4, 0x15, 0xB4])).decode(),
        "2021-09-20T12:00:00Z",
        settings={"data_rate": lora},
    )

    client.post(TTN, json=body, headers=auth)

    assert [s[0] for s in _samples(session, node)] == [1632139200 - 855, 1632139200]


def test_ttn_replayed_uplink_is_counted_as_duplicates(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("a81758fffe053c84", "BgLHBgKrBgL6", "2021-09-21T10:35:57Z")
    client.post(TTN, json=body, headers=auth)

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 200
    assert (_doc(response)["meta"]["stored"], _doc(response)["meta"]["duplicate"]) == (
        0,
        3,
    )
    assert len(_samples(session, node)) == 3


def test_ttn_unknown_device_is_404_pointing_at_the_dev_eui(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body = _ttn("0004A30B001C0530", "BgLHBgKrBgL6", "2021-09-21T10:35:57Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 404
    error = _doc(response)["errors"][0]
    assert error["source"] == {"pointer": "/end_device_ids/dev_eui"}
    assert "0004A30B001C0530" in error["detail"]


def test_ttn_undecodable_payload_is_400_and_stores_nothing(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn(
        "A81758FFFE053C84",
        base64.b64encode(b"\x07\x01\x02").decode(),
        "2021-09-21T10:35:57Z",
    )

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    error = _doc(response)["errors"][0]
    assert error["source"] == {"pointer": "/uplink_message/frm_payload"}
    assert "does not decode as ELSYSERSPROT_V01" in error["detail"]
    assert _samples(session, node) == []


def test_ttn_frame_with_one_reading_out_of_range_stores_nothing(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    cold = bytes.fromhex("0100C4023406035401FF060234060354")  # 19.6 °C, then -25.0 °C
    body = _ttn(
        "A81758FFFE053C84", base64.b64encode(cold).decode(), "2021-09-21T10:35:57Z"
    )

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    assert "Decoded sample 1" in _doc(response)["errors"][0]["detail"]
    assert _samples(session, node) == []


def test_oy1012_co2_error_marker_is_400_naming_the_sensor_error(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    body = _chirpstack(
        "70B3D5E75E000001", bytes.fromhex("3E441DFFFF"), "2021-09-21T10:35:56.6Z"
    )

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 400
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"pointer": "/data"}
    assert "CO2 sensor error (0xFFFF)" in error["detail"]
    assert _samples(session, node) == []


def test_decoded_values_out_of_range_are_named_each(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    # Raw zeros: -80.0 °C and -25 % RH, both outside what a sample may hold.
    body = _chirpstack(
        "70B3D5E75E000001", bytes.fromhex("000000021B"), "2021-09-21T10:35:56.6Z"
    )

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 400
    errors = _doc(response)["errors"]
    assert [(e["source"], e["code"]) for e in errors] == [
        ({"pointer": "/data"}, "range"),
        ({"pointer": "/data"}, "range"),
    ]
    assert "temperature_celsius is -80. " in errors[0]["detail"]
    assert "rel_humidity_percent is -25. " in errors[1]["detail"]
    assert all("No sample of this uplink was stored" in e["detail"] for e in errors)
    assert _samples(session, node) == []


@pytest.mark.parametrize(
    ("received_at", "code"),
    [("2037-01-01T00:00:00Z", "future"), ("1999-12-31T23:00:00Z", "past")],
)
def test_ttn_receive_time_out_of_the_window_points_at_received_at(
    client: FlaskClient,
    session: Session,
    org: Organization,
    auth: dict[str, str],
    received_at: str,
    code: str,
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("A81758FFFE053C84", "BgLHBgKrBgL6", received_at)

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    errors = _doc(response)["errors"]
    assert len(errors) == 3
    for error in errors:
        assert error["source"] == {"pointer": "/uplink_message/received_at"}
        assert error["code"] == code
        assert "timestamp_s is " in error["detail"]
    assert _samples(session, node) == []


def test_chirpstack_receive_time_out_of_the_window_points_at_the_time_used(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    body = _chirpstack("70B3D5E75E000001", bytes.fromhex("3E441D021B"), "")
    del body["time"]
    body["rxInfo"] = [{"nsTime": "2037-01-01T00:00:00Z"}]

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 400
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"pointer": "/rxInfo/0/nsTime"}
    assert _samples(session, node) == []


@pytest.mark.parametrize("f_port", [0, 224, 255])
def test_ttn_frame_on_a_mac_or_test_port_is_ignored_with_204(
    client: FlaskClient,
    session: Session,
    org: Organization,
    auth: dict[str, str],
    f_port: int,
) -> None:
    node = _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("A81758FFFE053C84", "BgLHBgKrBgL6", "2021-09-21T10:35:57Z")
    body["uplink_message"]["f_port"] = f_port

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 204
    assert _samples(session, node) == []


def test_chirpstack_frame_on_port_0_is_ignored_with_204(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    node = _node(session, org, "TALKPOOLOY1012", "TALKPOOLOY1012", "70B3D5E75E000001")
    body = _chirpstack(
        "70B3D5E75E000001",
        bytes.fromhex("3E441D021B"),
        "2021-09-21T10:35:56.6Z",
        fPort=0,
    )

    response = client.post(CHIRPSTACK, json=body, headers=auth)

    assert response.status_code == 204
    assert _samples(session, node) == []


@pytest.mark.parametrize("f_port", ["5", 5.5, True, -1, 256])
def test_ttn_port_that_is_no_lorawan_port_is_400(
    client: FlaskClient,
    session: Session,
    org: Organization,
    auth: dict[str, str],
    f_port: Any,
) -> None:
    _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("A81758FFFE053C84", "BgLHBgKrBgL6", "2021-09-21T10:35:57Z")
    body["uplink_message"]["f_port"] = f_port

    assert_refused(
        client,
        "POST",
        TTN,
        400,
        json=body,
        headers=auth,
        unchanged=("samples",),
        pointer="/uplink_message/f_port",
    )


@pytest.mark.parametrize("size", [243, 3_000_000])
def test_ttn_payload_longer_than_a_lorawan_frame_is_400(
    client: FlaskClient,
    session: Session,
    org: Organization,
    auth: dict[str, str],
    size: int,
) -> None:
    _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    payload = base64.b64encode(bytes.fromhex("060354") * (size // 3) + bytes(size % 3))
    body = _ttn("A81758FFFE053C84", payload.decode(), "2021-09-21T10:35:57Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"pointer": "/uplink_message/frm_payload"}
    assert "more than 242 bytes" in error["detail"]


def test_ttn_payload_of_a_full_lorawan_frame_reaches_the_decoder(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    payload = base64.b64encode(bytes.fromhex("060354") * 80 + bytes(2))
    body = _ttn("A81758FFFE053C84", payload.decode(), "2021-09-21T10:35:57Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    assert (
        "does not decode as ELSYSERSPROT_V01" in _doc(response)["errors"][0]["detail"]
    )


def test_ttn_payload_that_is_not_base64_is_400(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    _node(session, org, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("A81758FFFE053C84", "not base64!", "2021-09-21T10:35:57Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["source"] == {
        "pointer": "/uplink_message/frm_payload"
    }


@pytest.mark.parametrize("url", [TTN, CHIRPSTACK])
def test_webhook_body_that_is_not_json_is_400_saying_so(
    client: FlaskClient, auth: dict[str, str], url: str
) -> None:
    body = b'{"data": ' + b"9" * 5000 + b"}"

    response = client.post(
        url, data=body, content_type="application/json", headers=auth
    )

    assert response.status_code == 400
    (error,) = _doc(response)["errors"]
    assert error["source"] == {"pointer": ""}
    assert error["detail"].startswith("The body is not valid JSON: ")


def test_ttn_node_whose_protocol_has_no_decoder_is_400(
    client: FlaskClient, session: Session, org: Organization, auth: dict[str, str]
) -> None:
    make_node(session, owner=org, eui64="0004A30B001C0531")
    body = _ttn("0004A30B001C0531", "AQI=", "2021-09-21T10:35:57Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["code"] == "no_decoder"


def test_ttn_message_without_payload_is_ignored_with_204(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body = _ttn("A81758FFFE053C84", None, "2021-09-21T10:35:57Z")

    response = client.post(TTN, json=body, headers=auth)

    assert response.status_code == 204


def test_ttn_body_without_dev_eui_is_400(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post(TTN, json={"uplink_message": {}}, headers=auth)

    assert response.status_code == 400
    assert _doc(response)["errors"][0]["source"] == {
        "pointer": "/end_device_ids/dev_eui"
    }


def test_ttn_node_of_another_organization_is_403(
    client: FlaskClient, session: Session, auth: dict[str, str]
) -> None:
    other = make_organization(session)
    node = _node(session, other, "ELSYSERSPROT_V01", "ELSYSERS", "A81758FFFE053C84")
    body = _ttn("A81758FFFE053C84", "BgLHBgKrBgL6", "2021-09-21T10:35:57Z")

    assert_refused(
        client,
        "POST",
        TTN,
        403,
        json=body,
        headers=auth,
        unchanged=("samples",),
        pointer="/end_device_ids/dev_eui",
    )
    assert _samples(session, node) == []


def test_ttn_without_token_is_401(client: FlaskClient) -> None:
    body = _ttn("A81758FFFE053C84", "BgLHBgKrBgL6", "2021-09-21T10:35:57Z")

    assert_refused(
        client,
        "POST",
        TTN,
        401,
        json=body,
        unchanged=("samples",),
        header="Authorization",
    )


def test_chirpstack_other_events_are_ignored_with_204(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post(
        "/ingest/v1/chirpstack/?event=join", json={"deviceInfo": {}}, headers=auth
    )

    assert response.status_code == 204


def test_chirpstack_protobuf_encoding_is_415(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    assert_refused(
        client,
        "POST",
        CHIRPSTACK,
        415,
        data=b"\x0a\x10",
        headers={**auth, "Content-Type": "application/octet-stream"},
        unchanged=("samples",),
        header="Content-Type",
    )
