"""LoRaWAN payload decoders, pure functions selected by the node's protocol identifier.

Each decoder module exposes ``decode(uplink) -> list[Reading]`` (oldest first) and
raises :class:`DecodeError` for a payload that does not follow its layout. The
registry maps Managair's protocol identifiers (``CLAIRCHENPROT_V01``,
``ELSYSERSPROT_V01``) and clair-ttn's protocol names (``CLAIRCHEN``, ``ELSYSERS``,
``TALKPOOLOY1012``) to them.
"""

from __future__ import annotations

from app.services.ingest.decoders import clairchen, elsys_ers, talkpool_oy1012
from app.services.ingest.decoders.node_ids import (
    CLAIRCHEN,
    ELSYS_ERS,
    TALKPOOL_OY1012,
    derive_node_id,
)
from app.services.ingest.decoders.types import (
    DEFAULT_DATA_RATE,
    DecodeError,
    Decoder,
    Reading,
    Uplink,
)

DECODERS: dict[str, Decoder] = {
    "CLAIRCHENPROT_V01": clairchen.decode,
    CLAIRCHEN: clairchen.decode,
    "ELSYSERSPROT_V01": elsys_ers.decode,
    ELSYS_ERS: elsys_ers.decode,
    TALKPOOL_OY1012: talkpool_oy1012.decode,
}


def decoder_for(protocol_identifier: str) -> Decoder | None:
    """Return the decoder for a protocol identifier (case-insensitive), if any."""
    return DECODERS.get(protocol_identifier.strip().upper())


__all__ = [
    "CLAIRCHEN",
    "DECODERS",
    "DEFAULT_DATA_RATE",
    "ELSYS_ERS",
    "TALKPOOL_OY1012",
    "DecodeError",
    "Decoder",
    "Reading",
    "Uplink",
    "decoder_for",
    "derive_node_id",
]
