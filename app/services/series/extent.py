"""Where a window's data starts and ends, read cheaply (see ``sql.EXTENT_SQL``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.services.series import buckets as tb
from app.services.series import sql
from app.services.series.stored import split_utc
from app.services.series.window import ONE_US, Window


@dataclass(frozen=True)
class SeriesSource:
    """The node a series is read from, with the organization that owns it."""

    node_id: uuid.UUID
    owner_id: int


@dataclass(frozen=True)
class Facts:
    """The data extent of a window, its (capped) sample count, the watermarks and
    the zone of the stored local days (``samples_1d_local``)."""

    first: datetime | None
    last: datetime | None
    capped_count: int
    watermarks: dict[str, datetime | None]
    day_zone: str | None = None


def find_facts(
    session: Session,
    source: SeriesSource,
    window: Window,
    resolution: str,
    max_points: int,
) -> Facts | None:
    """Find the first and last sample of ``window``, its sample count (capped at
    ``max_points + 1``, only for ``auto``) and the watermarks; None if the node does
    not belong to ``source.owner_id``."""
    keys = {"node_id": source.node_id, "owner_id": source.owner_id}
    row = session.execute(sql.FACTS_SQL, keys).mappings().one()
    if not row["visible"]:
        return None
    marks: dict[str, datetime | None] = {
        "10m": row["w10m"],
        "1h": row["w1h"],
        "1d": row["w1d"],
        "1d_local": row["w1d_local"],
    }
    parts = split_utc(window, tb.LEVEL_1D.seconds, marks["1d"])
    cap = max_points + 1 if resolution == "auto" else 0
    found = sql.fetch_one(
        session,
        sql.EXTENT_SQL,
        {
            **keys,
            "a0": parts.before.start,
            "a1": parts.before.stop,
            "m0": parts.stored.start,
            "m1": parts.stored.stop,
            "b0": parts.after.start,
            "b1": parts.after.stop,
            "count_cap": cap,
        },
    )
    first = found["a_first"] or found["m_first"] or found["b_first"]
    last = found["b_last"] or found["m_last"] or found["a_last"]
    if (
        first is not None
        and last is not None
        and (first == found["m_first"] or last == found["m_last"])
    ):
        first, last = _refine(session, keys, first, last, found, window)
    return Facts(first, last, int(found["capped_count"]), marks, row["day_zone"])


def _refine(
    session: Session,
    keys: dict[str, Any],
    first: datetime,
    last: datetime,
    found: Any,
    window: Window,
) -> tuple[datetime, datetime]:
    """Exact first/last sample times where only their (UTC) day was known."""
    one_day = tb.LEVEL_1D.width
    first_day, last_day = first == found["m_first"], last == found["m_last"]
    f1 = first + one_day if first_day else first + ONE_US
    l0, l1 = last, (min(last + one_day, window.stop) if last_day else last + ONE_US)
    row = sql.fetch_one(
        session, sql.REFINE_SQL, {**keys, "f0": first, "f1": f1, "l0": l0, "l1": l1}
    )
    # A day whose samples were deleted since the last refresh keeps its bounds.
    return row["first"] or first, row["last"] or l1 - ONE_US
