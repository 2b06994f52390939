"""clair-ttn's node UUIDs: the first 16 bytes of SHA-256(protocol name || DevEUI bytes).

The UUID carries no RFC 4122 version bits (contract §3.3). Registration tools use it
to give a node the id clair-ttn will post for it.
"""

from __future__ import annotations

import hashlib
import uuid

# clair-ttn's protocol names, by the decoder they select.
CLAIRCHEN = "CLAIRCHEN"
ELSYS_ERS = "ELSYSERS"
TALKPOOL_OY1012 = "TALKPOOLOY1012"


def derive_node_id(protocol_name: str, dev_eui: str) -> uuid.UUID:
    """Return the node UUID clair-ttn derives for ``dev_eui`` under ``protocol_name``.

    Raises:
        ValueError: ``dev_eui`` is not 16 hexadecimal digits.
    """
    raw = bytes.fromhex(dev_eui)
    if len(raw) != 8:
        raise ValueError(f"DevEUI {dev_eui!r} is not 8 bytes of hexadecimal.")
    digest = hashlib.sha256(protocol_name.encode("ascii") + raw).digest()
    return uuid.UUID(bytes=digest[:16])
