"""LoRaWAN network-server webhooks: The Things Stack v3 and ChirpStack v4 uplinks.

The route (``app.blueprints.ingest.uplinks``) reduces a webhook body to an
``UplinkMessage``. Here the node is found
by its DevEUI, the payload decoded by its protocol's decoder, every reading
validated, and only then is anything stored, through the batch path: a frame with
one bad reading stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ErrorDetail, ForbiddenError, NotFoundError, ValidationError
from app.services.ingest import validation
from app.services.ingest.batch import BatchReport, RawRecord, ingest_batch
from app.services.ingest.credentials import IngestScope
from app.services.ingest.decoders import (
    DECODERS,
    DecodeError,
    Reading,
    Uplink,
    decoder_for,
)
from app.services.ingest.validation import FieldError, Limits


@dataclass(frozen=True)
class UplinkMessage:
    """What a webhook body says: the device and its frame.

    Attributes:
        dev_eui: the DevEUI, upper case.
        uplink: the frame.
        eui_pointer: where the DevEUI sits in the body (for errors).
        payload_pointer: where the payload sits in the body (for errors).
        time_pointer: where the receive time sits in the body (the payload's
            pointer when the body gave none and the server's clock was used).
    """

    dev_eui: str
    uplink: Uplink
    eui_pointer: str
    payload_pointer: str
    time_pointer: str


_NODE = """
SELECT n.id, n.owner_id, p.identifier
FROM nodes AS n JOIN protocols AS p ON p.id = n.protocol_id
WHERE n.eui64 = :eui
"""


@dataclass(frozen=True)
class UplinkResult:
    """The node a frame was for, its decoded readings and what was stored."""

    node_id: Any
    readings: tuple[Reading, ...]
    report: BatchReport


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
        message: the parsed webhook body.
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
    _check(readings, limits, message)
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


def _check(readings: list[Reading], limits: Limits, message: UplinkMessage) -> None:
    """Refuse the frame if any decoded reading is out of range, naming each value.

    A time out of the window points at the receive time it was derived from, any
    other value at the payload it was decoded from.
    """
    problems = []
    for index, r in enumerate(readings, 1):
        for name, check in (
            ("timestamp_s", lambda v: validation.timestamp_s(v, limits)),
            ("co2_ppm", validation.co2_ppm),
            ("temperature_celsius", validation.temperature_celsius),
            ("rel_humidity_percent", validation.rel_humidity_percent),
        ):
            value = getattr(r, name)
            try:
                check(value)
            except FieldError as exc:
                pointer = (
                    message.time_pointer
                    if name == "timestamp_s"
                    else message.payload_pointer
                )
                detail = (
                    f"Decoded sample {index} of {len(readings)}: {name} is {value}. "
                    f"{exc.detail} No sample of this uplink was stored."
                )
                problems.append(ErrorDetail(detail, pointer, exc.code))
    if problems:
        raise ValidationError("", errors=problems)
