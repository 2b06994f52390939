"""This month's medals of a page's rooms, kept a few minutes per process.

A medal is a verdict over a month of raw samples: for 50 rooms that is 10^5-10^6
samples, seconds of SQL, on every overview. The verdict moves slowly (a day's
figures change it, not a minute's), so each worker keeps it for :data:`TTL_S`
and the overview renders from memory after the first visit. The lasting fix is a
daily rollup of each room's figures written by the jobs process (not built yet).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

#: How long a worker trusts the medals it computed.
TTL_S = 300.0
#: Entries kept at most (an entry is one page's rooms for one month).
MAX_ENTRIES = 1024

_lock = threading.Lock()
_entries: dict[Hashable, tuple[float, dict[int, bool]]] = {}


def cached_medals(
    key: Hashable, compute: Callable[[], dict[int, bool]], *, now: float | None = None
) -> dict[int, bool]:
    """Return the medals stored under ``key`` if fresh, else ``compute()`` them.

    ``key`` must name everything the medals depend on: the rooms, the month and
    whose view (members of an organization see the same installations; the
    anonymous view sees the public ones).
    """
    moment = time.monotonic() if now is None else now
    with _lock:
        hit = _entries.get(key)
    if hit is not None and moment - hit[0] < TTL_S:
        return hit[1]
    medals = compute()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (moment, medals)
    return medals


def clear() -> None:
    """Forget every entry (benchmarks time the first visit with it)."""
    with _lock:
        _entries.clear()
