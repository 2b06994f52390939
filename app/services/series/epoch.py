"""Epoch seconds at the API boundary, ``timestamptz`` in the database.

The API speaks Managair's 32-bit positive epoch seconds; ``2147483647`` is the
open end of an installation, stored as ``NULL``. The bounds of the API's epoch
seconds are defined here and nowhere else, so that every route accepts the same
range for the same kind of field.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_S = timedelta(seconds=1)

#: Managair stores epoch seconds as signed 32-bit integers: 2**31 - 1 is the
#: largest one, and it is what an installation that is still open ends at.
OPEN_END_S = 2_147_483_647
#: The largest epoch second a Managair timestamp attribute or ``filter[...]`` holds
#: (installations, sample timestamps, listing filters); the same 32-bit limit.
MAX_MANAGAIR_EPOCH_S = OPEN_END_S
#: 9999-12-31T23:59:59Z, the last second a Python ``datetime`` can hold. The
#: time-series ``filter[from]``/``filter[to]`` are read-only bounds on a window, not
#: stored Managair attributes, so they accept any instant up to it.
MAX_DATETIME_EPOCH_S = 253_402_300_799


def to_epoch(moment: datetime) -> int:
    """Return ``moment`` as whole epoch seconds (rounded down).

    Integer arithmetic on the ``timedelta``, as the bucket grid computes: exact for
    every ``datetime``, whatever its size.
    """
    return (moment - EPOCH) // ONE_S


def end_to_epoch(moment: datetime | None) -> int:
    """Return an installation end as epoch seconds; None (open) is ``OPEN_END_S``."""
    return OPEN_END_S if moment is None else to_epoch(moment)


def from_epoch(seconds: int) -> datetime:
    """Return epoch ``seconds`` as an aware UTC datetime."""
    return EPOCH + timedelta(seconds=seconds)


def end_from_epoch(seconds: int) -> datetime | None:
    """Return an installation end; ``OPEN_END_S`` means open (None)."""
    return None if seconds >= OPEN_END_S else from_epoch(seconds)
