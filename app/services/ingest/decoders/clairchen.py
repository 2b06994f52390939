"""Clairchen (DIY node), message id 0, protocol version 0: a list of samples, oldest first.

Layout (contract §3.4): one header byte (bits 7-6 version, 5-3 message id, 2-0 N-1),
then N two-byte samples: CO2 = byte0 x 20 ppm; byte1 bits 7-3 temperature in °C,
bits 2-0 humidity = value x 10 + 10 %. Sample i of N is stamped
``round(rx) - (N - 1 - i) x interval``, the interval depending on the data rate.
"""

from __future__ import annotations

from decimal import Decimal

from app.services.ingest.decoders.types import DecodeError, Reading, Uplink, normalised

# Seconds between two samples the firmware takes at each data rate.
INTERVAL_S = {
    "SF7BW250": 38,
    "SF7BW125": 75,
    "SF8BW125": 134,
    "SF9BW125": 178,
    "SF10BW125": 214,
    "SF11BW125": 534,
    "SF12BW125": 855,
}
MAX_SAMPLES = 8
CO2_STEP_PPM = 20


def decode(uplink: Uplink) -> list[Reading]:
    """Decode a Clairchen sample-list message into chronological readings.

    Raises:
        DecodeError: empty payload, unknown version or message id, a sample count
            that does not match the length, or a data rate without an interval.
    """
    data = uplink.payload
    if not data:
        raise DecodeError("Clairchen payload is empty.")
    header = data[0]
    version, message_id, count = (
        header >> 6,
        (header >> 3) & 0b111,
        (header & 0b111) + 1,
    )
    if version != 0:
        raise DecodeError(f"Clairchen protocol version {version} is not supported.")
    if message_id != 0:
        raise DecodeError(f"Clairchen message id {message_id} is not a sample list.")
    if len(data) != 1 + 2 * count:
        raise DecodeError(
            f"Clairchen header announces {count} samples ({1 + 2 * count} bytes) "
            f"but the payload has {len(data)} bytes."
        )
    interval = INTERVAL_S.get(uplink.data_rate)
    if interval is None:
        raise DecodeError(f"Clairchen has no sample interval for {uplink.data_rate}.")
    rx = uplink.rx_s
    readings = []
    for i in range(count):
        co2_raw, climate = data[1 + 2 * i], data[2 + 2 * i]
        readings.append(
            normalised(
                timestamp_s=rx - (count - 1 - i) * interval,
                co2_ppm=co2_raw * CO2_STEP_PPM,
                temperature=Decimal(climate >> 3),
                humidity=(climate & 0b111) * 10 + 10,
            )
        )
    return readings
