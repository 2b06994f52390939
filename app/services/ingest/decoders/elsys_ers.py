"""Elsys ERS CO2: type-length-value items in groups (CO2 alone, or T, H and CO2).

Layout (contract §3.4): each item is a header byte (bits 7-6 offset-byte count, must
be 0; bits 5-0 the type) and a value: ``0x01`` temperature int16 BE / 10 °C,
``0x02`` humidity uint8 %, ``0x06`` CO2 uint16 BE ppm. There are 2 to 5 uniform
groups, newest first; group i is stamped ``round(rx) - i x interval(count)`` and the
result is returned oldest first.
"""

from __future__ import annotations

from decimal import Decimal

from app.services.ingest.decoders.types import DecodeError, Reading, Uplink, normalised

TEMPERATURE, HUMIDITY, CO2 = 0x01, 0x02, 0x06
VALUE_BYTES = {TEMPERATURE: 2, HUMIDITY: 1, CO2: 2}
# Seconds between two samples, by the number of samples in a message.
INTERVAL_S = {2: 326, 3: 356, 4: 593, 5: 948}
HUMIDITY_MAX = 100
CO2_MAX = 10_000

Item = tuple[int, int]


def _items(data: bytes) -> list[Item]:
    items: list[Item] = []
    pos = 0
    while pos < len(data):
        header = data[pos]
        if header >> 6:
            raise DecodeError(
                f"ERS item at byte {pos} has offset bytes (header 0x{header:02X})."
            )
        kind = header & 0x3F
        size = VALUE_BYTES.get(kind)
        if size is None:
            raise DecodeError(f"ERS item type 0x{kind:02X} at byte {pos} is unknown.")
        raw = data[pos + 1 : pos + 1 + size]
        if len(raw) != size:
            raise DecodeError(f"ERS item at byte {pos} is cut short.")
        items.append((kind, int.from_bytes(raw, "big", signed=kind == TEMPERATURE)))
        pos += 1 + size
    return items


def _groups(items: list[Item]) -> list[dict[int, int]]:
    if all(kind == CO2 for kind, _ in items):
        return [{CO2: value} for _, value in items]
    if len(items) % 3:
        raise DecodeError("ERS items must come in uniform groups of T, H and CO2.")
    groups = []
    for start in range(0, len(items), 3):
        group = dict(items[start : start + 3])
        if sorted(group) != [TEMPERATURE, HUMIDITY, CO2]:
            raise DecodeError("ERS items must come in uniform groups of T, H and CO2.")
        groups.append(group)
    return groups


def _reading(group: dict[int, int], timestamp_s: int) -> Reading:
    co2 = group[CO2]
    if co2 > CO2_MAX:
        raise DecodeError(f"ERS CO2 value {co2} ppm is above {CO2_MAX}.")
    humidity = group.get(HUMIDITY)
    if humidity is not None and humidity > HUMIDITY_MAX:
        raise DecodeError(f"ERS humidity {humidity} % is above {HUMIDITY_MAX}.")
    raw_t = group.get(TEMPERATURE)
    temperature = Decimal(raw_t) / 10 if raw_t is not None else None
    return normalised(timestamp_s, co2, temperature, humidity)


def decode(uplink: Uplink) -> list[Reading]:
    """Decode an ERS CO2 message into chronological readings.

    Raises:
        DecodeError: offset bytes, an unknown item type, a truncated item, mixed
            groups, a sample count other than 2-5, or a value out of range.
    """
    groups = _groups(_items(uplink.payload))
    interval = INTERVAL_S.get(len(groups))
    if interval is None:
        raise DecodeError(
            f"ERS message has {len(groups)} CO2 values; expected 2, 3, 4 or 5."
        )
    rx = uplink.rx_s
    newest_first = [_reading(g, rx - i * interval) for i, g in enumerate(groups)]
    return newest_first[::-1]
