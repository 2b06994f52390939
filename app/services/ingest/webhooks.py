"""LoRaWAN network-server webhooks: The Things Stack v3 and ChirpStack v4 uplinks.

A webhook body is reduced to a :class:`UplinkMessage` (DevEUI, payload, receive time,
port, data rate; field mapping as clair-ttn's, contract §3.2). The node is found by
its DevEUI, the payload decoded by its protocol's decoder, every reading validated,
and only then is anything stored, through the batch path: a frame with one bad
reading stores nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ErrorDetail, ForbiddenError, NotFoundError, ValidationError
from app.services.decoders import (
    DECODERS,
    DEFAULT_DATA_RATE,
    DecodeError,
    Reading,
    Uplink,
    decoder_for,
)
from app.services.ingest import validation
from app.services.ingest.batch import BatchReport, ingest_batch
from app.services.ingest.credentials import IngestScope
from app.services.ingest.readers import RawRecord
from app.services.ingest.validation import FieldError, Limits

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

_NODE = """
SELECT n.id, n.owner_id, p.identifier
FROM nodes AS n JOIN protocols AS p ON p.id = n.protocol_id
WHERE n.eui64 = :eui
"""


@dataclass(frozen=True)
class UplinkMessage:
    """What a webhook body says: the device and its frame (None: nothing to store).

    Attributes:
        dev_eui: the DevEUI, upper case.
        uplink: the frame, or None when the message carries no payload.
        eui_pointer: where the DevEUI sits in the body (for errors).
        payload_pointer: where the payload sits in the body (for errors).
    """

    dev_eui: str
    uplink: Uplink | None
    eui_pointer: str
    payload_pointer: str


@dataclass(frozen=True)
class UplinkResult:
    """The node a frame was for, its decoded readings and what was stored."""

    node_id: Any
    readings: tuple[Reading, ...]
    report: BatchReport


def _get(body: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(body, Mapping):
            return None
        body = body.get(key)
    return body


def _pointer(*path: str) -> str:
    return "/" + "/".join(path)


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
    try:
        if not isinstance(raw, str):
            raise ValueError
        return base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error):
        raise ValidationError("The payload is not base64.", _pointer(*path)) from None


def _time(body: Any, default: float, *paths: tuple[str, ...]) -> float:
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
        return moment.timestamp()
    return default


def _port(value: Any) -> int:
    valid = isinstance(value, int) and not isinstance(value, bool)
    return int(value) if valid else DEFAULT_PORT


def _lora_rate(spreading_factor: Any, bandwidth_hz: Any) -> str | None:
    if isinstance(spreading_factor, int) and isinstance(bandwidth_hz, int):
        return f"SF{spreading_factor}BW{bandwidth_hz // 1000}"
    return None


def _indexed_rate(index: Any) -> str | None:
    if isinstance(index, int) and 0 <= index < len(DATA_RATES):
        return DATA_RATES[index]
    return None


def parse_ttn(body: Any, now: float) -> UplinkMessage:
    """Read a The Things Stack v3 uplink message (webhook or MQTT JSON).

    Raises:
        ValidationError: no DevEUI, a payload that is not base64, a bad time.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("Expected a JSON object.", "")
    dev_eui = _dev_eui(body, "end_device_ids", "dev_eui")
    up = _get(body, "uplink_message")
    payload = _payload(body, "uplink_message", "frm_payload")
    uplink = None
    if payload is not None:
        settings = _get(up, "settings")
        lora = _get(settings, "data_rate", "lora")
        rate = _indexed_rate(_get(settings, "data_rate_index")) or _lora_rate(
            _get(lora, "spreading_factor"), _get(lora, "bandwidth")
        )
        uplink = Uplink(
            payload=payload,
            received_at=_time(
                body, now, ("uplink_message", "received_at"), ("received_at",)
            ),
            f_port=_port(_get(up, "f_port")),
            data_rate=rate or DEFAULT_DATA_RATE,
        )
    return UplinkMessage(
        dev_eui,
        uplink,
        _pointer("end_device_ids", "dev_eui"),
        _pointer("uplink_message", "frm_payload"),
    )


def parse_chirpstack(body: Any, now: float) -> UplinkMessage:
    """Read a ChirpStack v4 ``up`` event (HTTP integration, JSON encoding).

    Raises:
        ValidationError: no DevEUI, a payload that is not base64, a bad time.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("Expected a JSON object.", "")
    dev_eui = _dev_eui(body, "deviceInfo", "devEui")
    payload = _payload(body, "data")
    uplink = None
    if payload is not None:
        lora = _get(body, "txInfo", "modulation", "lora")
        rate = _lora_rate(
            _get(lora, "spreadingFactor"), _get(lora, "bandwidth")
        ) or _indexed_rate(_get(body, "dr"))
        rx_info = _get(body, "rxInfo")
        first_rx = rx_info[0] if isinstance(rx_info, list) and rx_info else None
        uplink = Uplink(
            payload=payload,
            received_at=_time(
                {"time": body.get("time"), "rx": first_rx},
                now,
                ("time",),
                ("rx", "nsTime"),
                ("rx", "gwTime"),
            ),
            f_port=_port(body.get("fPort")),
            data_rate=rate or DEFAULT_DATA_RATE,
        )
    return UplinkMessage(dev_eui, uplink, _pointer("deviceInfo", "devEui"), "/data")


def ingest_uplink(
    session: Session,
    scope: IngestScope,
    message: UplinkMessage,
    limits: Limits,
    publishers: Sequence[str] = (),
) -> UplinkResult:
    """Decode a frame with its node's decoder and store every reading, or none.

    Args:
        session: the request's transaction.
        scope: the nodes the caller may post for.
        message: the parsed webhook body; ``uplink`` must not be None.
        limits: the accepted time window.
        publishers: enabled publishers for the outbox.

    Returns:
        The node id, the decoded readings (oldest first) and the storage report.

    Raises:
        NotFoundError: no node has this DevEUI.
        ForbiddenError: the node belongs to an organization the token is not for.
        ValidationError: the node's protocol has no decoder, the payload does not
            decode, or a decoded reading is out of range (nothing is stored).
    """
    uplink = message.uplink
    if uplink is None:
        raise ValueError("message without an uplink frame")
    node = session.execute(text(_NODE), {"eui": message.dev_eui}).one_or_none()
    if node is None:
        raise NotFoundError(
            f"No node with DevEUI {message.dev_eui} is registered; create it "
            "first (POST /api/v1/nodes/).",
            message.eui_pointer,
        )
    if not scope.allows(node.owner_id):
        raise ForbiddenError(
            "The ingest token may not post samples for this node: it belongs "
            "to another organization.",
            message.eui_pointer,
        )
    readings = _decode(node.identifier, uplink, message)
    _check(readings, limits, message.payload_pointer)
    node_id = str(node.id)
    records: list[RawRecord] = [
        (
            node_id,
            None,
            r.timestamp_s,
            None,
            r.co2_ppm,
            r.temperature_celsius,
            r.rel_humidity_percent,
            None,
        )
        for r in readings
    ]
    report = ingest_batch(session, scope, records, limits, publishers)
    return UplinkResult(node.id, tuple(readings), report)


def _decode(protocol: str, uplink: Uplink, message: UplinkMessage) -> list[Reading]:
    decode = decoder_for(protocol)
    if decode is None:
        detail = (
            f"Node {message.dev_eui} uses protocol {protocol}, which has no payload "
            f"decoder (decoders: {', '.join(sorted(DECODERS))})."
        )
        raise ValidationError(
            "", errors=[ErrorDetail(detail, message.payload_pointer, "no_decoder")]
        )
    try:
        return decode(uplink)
    except DecodeError as exc:
        raise ValidationError(
            f"The payload does not decode as {protocol}: {exc}",
            message.payload_pointer,
        ) from None


def _check(readings: list[Reading], limits: Limits, pointer: str) -> None:
    problems = []
    for index, r in enumerate(readings, 1):
        for name, check in (
            ("timestamp_s", lambda v: validation.timestamp_s(v, limits)),
            ("co2_ppm", validation.co2_ppm),
            ("temperature_celsius", validation.temperature_celsius),
            ("rel_humidity_percent", validation.rel_humidity_percent),
        ):
            try:
                check(getattr(r, name))
            except FieldError as exc:
                problems.append(
                    ErrorDetail(f"Decoded sample {index}: {exc.detail}", pointer)
                )
    if problems:
        raise ValidationError("", errors=problems)
