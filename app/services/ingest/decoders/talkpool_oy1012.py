"""Talkpool OY1012: five bytes, one sample stamped with the receive time.

Layout (contract §3.4): temperature 12 bits ``(b0 << 4) | (b2 >> 4)``, (raw - 800) / 10
°C; humidity 12 bits ``(b1 << 4) | (b2 & 0x0F)``, (raw - 250) / 10 %; CO2 uint16 BE
from b3..b4 in ppm, where 0xFFFF marks a failed CO2 reading (the vendor's manual:
an error code, not a measurement).
"""

from __future__ import annotations

from decimal import Decimal

from app.services.ingest.decoders.types import DecodeError, Reading, Uplink, normalised

PAYLOAD_BYTES = 5
CO2_ERROR = 0xFFFF


def decode(uplink: Uplink) -> list[Reading]:
    """Decode an OY1012 frame into its one reading.

    Raises:
        DecodeError: the payload is not exactly five bytes, or it reports a CO2
            sensor error.
    """
    data = uplink.payload
    if len(data) != PAYLOAD_BYTES:
        raise DecodeError(
            f"OY1012 payload has {len(data)} bytes; expected {PAYLOAD_BYTES}."
        )
    raw_t = (data[0] << 4) | (data[2] >> 4)
    raw_h = (data[1] << 4) | (data[2] & 0x0F)
    co2 = int.from_bytes(data[3:5], "big")
    if co2 == CO2_ERROR:
        raise DecodeError(
            "OY1012 reports a CO2 sensor error (0xFFFF) instead of a "
            "measurement, so there is no sample to store; check the sensor."
        )
    return [
        normalised(
            timestamp_s=uplink.rx_s,
            co2_ppm=co2,
            temperature=(Decimal(raw_t) - 800) / 10,
            humidity=(Decimal(raw_h) - 250) / 10,
        )
    ]
