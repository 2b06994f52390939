"""Network-server webhook bodies reduced to what the webhook service needs.

Wire format, so it lives with the routes: the service takes an ``UplinkMessage``.

The Things Stack v3 uplink messages (webhook or MQTT JSON) and ChirpStack v4 ``up``
events (HTTP integration, JSON encoding), mapped as clair-ttn maps TTN's fields
(contract §3.2): DevEUI, payload, receive time, port and data rate. A message
without an application payload (another event, an empty frame, or a frame on port 0,
which carries MAC commands, or on the LoRaWAN test and reserved ports 224-255) is
read as None: there is nothing to store.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.errors import ValidationError
from app.services.ingest import validation
from app.services.ingest.decoders import DEFAULT_DATA_RATE, Uplink
from app.services.ingest.validation import FieldError
from app.services.ingest.webhooks import UplinkMessage

# LoRaWAN EU868 data-rate indexes (TTN's data_rate_index, ChirpStack's dr).
DATA_RATES = (
    "SF12BW125",
    "SF11BW125",
    "SF10BW125",
    "SF9BW125",
    "SF8BW125",
    "SF7BW125",
    "SF7BW250",
)
DEFAULT_PORT = 5
#: The ports of application data: 0 carries MAC commands, 224 the LoRaWAN test
#: protocol, 225-255 are reserved.
APPLICATION_PORTS = range(1, 224)
#: The most bytes a LoRaWAN frame's payload can hold (a MACPayload of at most 250
#: bytes less the 7-byte frame header and the port byte).
MAX_PAYLOAD_BYTES = 242
_MAX_PAYLOAD_CHARS = 4 * -(-MAX_PAYLOAD_BYTES // 3)


def _get(body: Any, *path: str | int) -> Any:
    """The member at ``path`` (names, or indexes into arrays), or None."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(body, list) or not 0 <= key < len(body):
                return None
            body = body[key]
        elif isinstance(body, Mapping):
            body = body.get(key)
        else:
            return None
    return body


def _pointer(*path: str | int) -> str:
    return "/" + "/".join(map(str, path))


def _dev_eui(body: Any, *path: str) -> str:
    raw = _get(body, *path)
    try:
        return validation.eui64(raw)
    except FieldError as exc:
        raise ValidationError(exc.detail, _pointer(*path)) from None


def _payload(body: Any, *path: str) -> bytes | None:
    raw = _get(body, *path)
    if raw is None or raw == "":
        return None
    too_long = ValidationError(
        f"The payload holds more than {MAX_PAYLOAD_BYTES} bytes, the most a LoRaWAN "
        "frame carries. Send the frame's payload as the network server received it.",
        _pointer(*path),
    )
    if isinstance(raw, str) and len(raw) > _MAX_PAYLOAD_CHARS:
        raise too_long
    try:
        if not isinstance(raw, str):
            raise ValueError
        payload = base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        raise ValidationError(
            "The payload is not base64. Send the frame's bytes base64-encoded, as "
            "the network server forwards them.",
            _pointer(*path),
        ) from None
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise too_long
    return payload


def _time(
    body: Any, default: float, fallback: str, *paths: tuple[str | int, ...]
) -> tuple[float, str]:
    """The first receive time given, and where it is (``default`` at ``fallback``)."""
    for path in paths:
        raw = _get(body, *path)
        if raw is None:
            continue
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.utcoffset() is None:
            raise ValidationError(
                "Expected an ISO-8601 time with offset.", _pointer(*path)
            )
        return moment.timestamp(), _pointer(*path)
    return default, fallback


def _port(body: Any, *path: str) -> int:
    """The frame's port (``DEFAULT_PORT`` when absent, as clair-ttn assumes).

    Raises:
        ValidationError: not an integer from 0 to 255.
    """
    value = _get(body, *path)
    if value is None:
        return DEFAULT_PORT
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        raise ValidationError(
            "Expected the frame's LoRaWAN port, an integer from 0 to 255.",
            _pointer(*path),
        )
    return value


def _lora_rate(spreading_factor: Any, bandwidth_hz: Any) -> str | None:
    if isinstance(spreading_factor, int) and isinstance(bandwidth_hz, int):
        return f"SF{spreading_factor}BW{bandwidth_hz // 1000}"
    return None


def _indexed_rate(index: Any) -> str | None:
    if isinstance(index, int) and 0 <= index < len(DATA_RATES):
        return DATA_RATES[index]
    return None


def parse_ttn(body: Any, now: float) -> UplinkMessage | None:
    """Read a The Things Stack v3 uplink message (webhook or MQTT JSON).

    Returns:
        The device and its frame, or None when the message holds no application
        payload (another message type, an empty frame, a MAC or test port).

    Raises:
        ValidationError: no DevEUI, a payload that is not base64 or too long, a bad
            port or time.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("Expected a JSON object.", "")
    dev_eui = _dev_eui(body, "end_device_ids", "dev_eui")
    payload = _payload(body, "uplink_message", "frm_payload")
    f_port = _port(body, "uplink_message", "f_port")
    if payload is None or f_port not in APPLICATION_PORTS:
        return None
    payload_pointer = _pointer("uplink_message", "frm_payload")
    settings = _get(body, "uplink_message", "settings")
    lora = _get(settings, "data_rate", "lora")
    rate = _indexed_rate(_get(settings, "data_rate_index")) or _lora_rate(
        _get(lora, "spreading_factor"), _get(lora, "bandwidth")
    )
    received_at, time_pointer = _time(
        body,
        now,
        payload_pointer,
        ("uplink_message", "received_at"),
        ("received_at",),
    )
    uplink = Uplink(
        payload=payload,
        received_at=received_at,
        f_port=f_port,
        data_rate=rate or DEFAULT_DATA_RATE,
    )
    return UplinkMessage(
        dev_eui,
        uplink,
        _pointer("end_device_ids", "dev_eui"),
        payload_pointer,
        time_pointer,
    )


def parse_chirpstack(body: Any, now: float) -> UplinkMessage | None:
    """Read a ChirpStack v4 ``up`` event (HTTP integration, JSON encoding).

    Returns:
        The device and its frame, or None when the event holds no application
        payload (an empty frame, a MAC or test port).

    Raises:
        ValidationError: no DevEUI, a payload that is not base64 or too long, a bad
            port or time.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("Expected a JSON object.", "")
    dev_eui = _dev_eui(body, "deviceInfo", "devEui")
    payload = _payload(body, "data")
    f_port = _port(body, "fPort")
    if payload is None or f_port not in APPLICATION_PORTS:
        return None
    lora = _get(body, "txInfo", "modulation", "lora")
    rate = _lora_rate(
        _get(lora, "spreadingFactor"), _get(lora, "bandwidth")
    ) or _indexed_rate(_get(body, "dr"))
    received_at, time_pointer = _time(
        body,
        now,
        "/data",
        ("time",),
        ("rxInfo", 0, "nsTime"),
        ("rxInfo", 0, "gwTime"),
    )
    uplink = Uplink(
        payload=payload,
        received_at=received_at,
        f_port=f_port,
        data_rate=rate or DEFAULT_DATA_RATE,
    )
    return UplinkMessage(
        dev_eui, uplink, _pointer("deviceInfo", "devEui"), "/data", time_pointer
    )
