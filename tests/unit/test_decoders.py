"""Payload decoders on the contract's worked examples (§3.3, §3.6) and their edges."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from app.services.ingest.decoders import (
    DecodeError,
    Reading,
    Uplink,
    clairchen,
    decoder_for,
    derive_node_id,
    elsys_ers,
    talkpool_oy1012,
)

RX_A = datetime.fromisoformat("2021-09-20T12:25:52.973476075Z").timestamp()
RX_B = 1632220557.125514417


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.mark.parametrize(
    ("protocol", "dev_eui", "expected"),
    [
        ("CLAIRCHEN", "9876B600001193E0", "c727b2f8-8377-d4cb-0e95-ac03200b8c93"),
        ("ELSYSERS", "A81758FFFE053C84", "66b8ccaa-90b9-2d24-bf59-0ea9e23b3bb4"),
        ("ELSYSERS", "A81758FFFE052B0F", "9d02faee-4260-1377-22ec-936428b572ee"),
    ],
)
def test_derive_node_id_contract_vectors_match(
    protocol: str, dev_eui: str, expected: str
) -> None:
    assert derive_node_id(protocol, dev_eui) == uuid.UUID(expected)


def test_derive_node_id_short_eui_is_refused() -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        derive_node_id("CLAIRCHEN", "9876B6")


def test_clairchen_example_a_decodes_three_samples_178_s_apart() -> None:
    uplink = Uplink(_b64("Aie0KLQotA=="), RX_A, f_port=1, data_rate="SF9BW125")

    readings = clairchen.decode(uplink)

    assert readings == [
        Reading(1632140397, 780, Decimal(22), 50),
        Reading(1632140575, 800, Decimal(22), 50),
        Reading(1632140753, 800, Decimal(22), 50),
    ]


@pytest.mark.parametrize(
    ("data_rate", "spacing"),
    [("SF7BW250", 38), ("SF7BW125", 75), ("SF10BW125", 214), ("SF12BW125", 855)],
)
def test_clairchen_spacing_follows_the_data_rate(data_rate: str, spacing: int) -> None:
    uplink = Uplink(bytes([0x01, 0x14, 0xB4, 0x15, 0xB4]), 1000.0, data_rate=data_rate)

    first, second = clairchen.decode(uplink)

    assert (first.timestamp_s, second.timestamp_s) == (1000 - spacing, 1000)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "empty"),
        (bytes([0x40, 0x27, 0xB4]), "version 1"),
        (bytes([0x08, 0x27, 0xB4]), "message id 1"),
        (bytes([0x02, 0x27, 0xB4]), "announces 3 samples"),
    ],
)
def test_clairchen_malformed_payload_says_why(payload: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        clairchen.decode(Uplink(payload, 1000.0))


def test_clairchen_zero_temperature_is_omitted_like_clair_ttn() -> None:
    uplink = Uplink(bytes([0x00, 0x14, 0x04]), 1000.0)  # 0 °C, 50 %

    (reading,) = clairchen.decode(uplink)

    assert reading.temperature_celsius is None
    assert reading.rel_humidity_percent == 50


def test_ers_example_b_assigns_the_first_value_to_the_receive_time() -> None:
    uplink = Uplink(_b64("BgLHBgKrBgL6"), RX_B)

    readings = elsys_ers.decode(uplink)

    assert [(r.timestamp_s, r.co2_ppm) for r in readings] == [
        (1632219845, 762),
        (1632220201, 683),
        (1632220557, 711),
    ]
    assert all(r.temperature_celsius is None for r in readings)


def test_ers_example_c_decodes_temperature_and_humidity_groups() -> None:
    payload = bytes.fromhex("0100C402340603540100C4023406035F")

    readings = elsys_ers.decode(Uplink(payload, RX_B))

    assert readings == [
        Reading(1632220231, 863, Decimal("19.6"), 52),
        Reading(1632220557, 852, Decimal("19.6"), 52),
    ]


def test_ers_negative_temperature_is_signed() -> None:
    payload = bytes.fromhex("01FF38023406035401FF380234060354")  # -20.0 °C

    readings = elsys_ers.decode(Uplink(payload, 1000.0))

    assert {r.temperature_celsius for r in readings} == {Decimal("-20.0")}


@pytest.mark.parametrize(
    ("hex_payload", "message"),
    [
        ("060354", "expected 2, 3, 4 or 5"),
        ("460354060354", "offset bytes"),
        ("070354060354", "type 0x07"),
        ("06035406", "cut short"),
        ("0100C4060354060354", "uniform groups"),
        ("062711062711062711", "above 10000"),
    ],
)
def test_ers_malformed_payload_says_why(hex_payload: str, message: str) -> None:
    payload = bytes.fromhex(hex_payload)

    with pytest.raises(DecodeError, match=message):
        elsys_ers.decode(Uplink(payload, 1000.0))


def test_oy1012_example_d_decodes_one_sample_at_the_receive_time() -> None:
    uplink = Uplink(bytes.fromhex("3E441D021B"), 1632220556.6)

    readings = talkpool_oy1012.decode(uplink)

    assert readings == [Reading(1632220557, 539, Decimal("19.3"), 85)]


def test_oy1012_wrong_length_says_why() -> None:
    with pytest.raises(DecodeError, match="expected 5"):
        talkpool_oy1012.decode(Uplink(bytes(4), 1000.0))


def test_oy1012_co2_error_marker_is_not_a_measurement() -> None:
    # The manual's example frame with the CO2 bytes set to the error code 0xFFFF.
    uplink = Uplink(bytes.fromhex("3E441DFFFF"), 1632220556.6)

    with pytest.raises(DecodeError, match=r"CO2 sensor error \(0xFFFF\)"):
        talkpool_oy1012.decode(uplink)


@pytest.mark.parametrize(
    ("identifier", "module"),
    [
        ("CLAIRCHENPROT_V01", clairchen),
        ("ELSYSERSPROT_V01", elsys_ers),
        ("elsysers", elsys_ers),
        ("TALKPOOLOY1012", talkpool_oy1012),
    ],
)
def test_decoder_for_known_protocols_returns_their_decoder(
    identifier: str, module: Any
) -> None:
    assert decoder_for(identifier) is module.decode


def test_decoder_for_unknown_protocol_is_none() -> None:
    assert decoder_for("LORA_UNKNOWN") is None
