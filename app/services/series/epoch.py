"""Epoch seconds at the API boundary, ``timestamptz`` in the database.

The API speaks Managair's 32-bit positive epoch seconds; ``2147483647`` is the
open end of an installation, stored as ``NULL``.
"""

from __future__ import annotations

from datetime import UTC, datetime

OPEN_END_S = 2_147_483_647
MAX_EPOCH_S = OPEN_END_S


def to_epoch(moment: datetime) -> int:
    """Return ``moment`` as whole epoch seconds (rounded down)."""
    return int(moment.timestamp() // 1)


def end_to_epoch(moment: datetime | None) -> int:
    """Return an installation end as epoch seconds; None (open) is ``OPEN_END_S``."""
    return OPEN_END_S if moment is None else to_epoch(moment)


def from_epoch(seconds: int) -> datetime:
    """Return epoch ``seconds`` as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def end_from_epoch(seconds: int) -> datetime | None:
    """Return an installation end; ``OPEN_END_S`` means open (None)."""
    return None if seconds >= OPEN_END_S else from_epoch(seconds)
