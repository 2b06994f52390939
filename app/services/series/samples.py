"""Raw samples as the reference serializes them, and per-window sample statistics.

A sample object is ``{timestamp_s, co2_ppm, temperature_celsius ("22.0" or
null), rel_humidity_percent, measurement_status}`` (Managair added a surrogate
``id``; samples here have none). Statistics of many windows (one per node or
installation of a list page) come from one query, so lists cost a constant
number of queries whatever their length.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.series import sql
from app.services.series.epoch import from_epoch, to_epoch


class SampleObject(TypedDict):
    """Managair's serialized sample (its ``id`` is omitted: samples have none)."""

    timestamp_s: int
    co2_ppm: int
    temperature_celsius: str | None
    rel_humidity_percent: int | None
    measurement_status: str


_COLUMNS = (
    "time, co2_ppm, temperature_celsius, rel_humidity_percent, measurement_status"
)

# One row per window: count, first and last time, and the newest sample, each
# found through the unique (node_id, time DESC) index.
_STATS = text(
    f"""
    SELECT w.ord, c.n, c.first_time, c.last_time, l.*
    FROM unnest(
        CAST(:ords AS bigint[]),
        CAST(:nodes AS uuid[]),
        CAST(:starts AS timestamptz[]),
        CAST(:ends AS timestamptz[])
    ) AS w(ord, node_id, t0, t1)
    CROSS JOIN LATERAL (
        SELECT count(*) AS n, min(s.time) AS first_time, max(s.time) AS last_time
        FROM samples s
        WHERE s.node_id = w.node_id
          AND s.time >= coalesce(w.t0, '-infinity')
          AND s.time <= coalesce(w.t1, 'infinity')
    ) c
    LEFT JOIN LATERAL (
        SELECT {_COLUMNS}
        FROM samples s
        WHERE s.node_id = w.node_id
          AND s.time >= coalesce(w.t0, '-infinity')
          AND s.time <= coalesce(w.t1, 'infinity')
        ORDER BY s.time DESC
        LIMIT 1
    ) l ON true
    """  # noqa: S608  # sql-identifiers: vetted (a constant column list)
)

# The samples of a window as the API renders them (epoch seconds, temperature as
# its text "22.0"), read as plain tuples: a month of 5-minute samples is 8,640 rows.
_SERIES = text(
    """
    SELECT floor(date_part('epoch', time))::bigint, co2_ppm,
           temperature_celsius::text, rel_humidity_percent, measurement_status
    FROM samples
    WHERE node_id = :node_id
      AND time >= coalesce(CAST(:t0 AS timestamptz), '-infinity')
      AND time <= coalesce(CAST(:t1 AS timestamptz), 'infinity')
    ORDER BY time
    """
)


@dataclass(frozen=True)
class Window:
    """The samples of one node in ``[start, end]`` (None: unbounded)."""

    node_id: uuid.UUID
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class WindowStats:
    """What the node and installation resources show about a window's samples.

    Attributes:
        count: samples in the window.
        first: time of the oldest sample, None when empty.
        last: time of the newest sample, None when empty.
        latest: the newest sample object, None when empty.
    """

    count: int
    first: datetime | None = None
    last: datetime | None = None
    latest: SampleObject | None = None


EMPTY = WindowStats(0)


def sample_object(row: Any) -> SampleObject:
    """Render one sample row (with the columns of :data:`_COLUMNS`)."""
    temperature: Decimal | None = row.temperature_celsius
    status = row.measurement_status
    return {
        "timestamp_s": to_epoch(row.time),
        "co2_ppm": row.co2_ppm,
        "temperature_celsius": None if temperature is None else f"{temperature:.1f}",
        "rel_humidity_percent": row.rel_humidity_percent,
        "measurement_status": getattr(status, "value", status),
    }


def window_stats(session: Session, windows: Sequence[Window]) -> list[WindowStats]:
    """Return the statistics of each window, in order, with one query.

    Args:
        session: the session.
        windows: the windows; the caller has checked the actor may see them.

    Returns:
        One :class:`WindowStats` per window.
    """
    if not windows:
        return []
    rows = session.execute(
        _STATS,
        {
            "ords": list(range(len(windows))),
            "nodes": [w.node_id for w in windows],
            "starts": [w.start for w in windows],
            "ends": [w.end for w in windows],
        },
    ).all()
    stats = [EMPTY] * len(windows)
    for row in rows:
        if row.n:
            stats[row.ord] = WindowStats(
                row.n, row.first_time, row.last_time, sample_object(row)
            )
    return stats


def samples_in(session: Session, window: Window) -> list[SampleObject]:
    """Return the samples of a window, oldest first.

    Args:
        session: the session.
        window: the node and bounds; the caller has checked visibility.

    Returns:
        The sample objects.
    """
    rows = sql.fetch_all(
        session,
        _SERIES,
        {"node_id": window.node_id, "t0": window.start, "t1": window.end},
    )
    return sample_objects(rows)


def sample_objects(rows: Iterable[Sequence[Any]]) -> list[SampleObject]:
    """Return sample objects of rows already in the API's terms.

    Each row is ``(timestamp_s, co2_ppm, temperature "22.0", humidity, status)``,
    as the time-series and the inventory queries both select them.
    """
    return [
        {
            "timestamp_s": timestamp_s,
            "co2_ppm": co2_ppm,
            "temperature_celsius": temperature,
            "rel_humidity_percent": humidity,
            "measurement_status": status,
        }
        for timestamp_s, co2_ppm, temperature, humidity, status in rows
    ]


def samples_and_stats(
    session: Session, window: Window
) -> tuple[WindowStats, list[SampleObject]]:
    """Return a window's statistics and samples from one query (the samples').

    The statistics of :func:`window_stats` follow from the samples themselves:
    their number, the first and last times and the newest sample.
    """
    samples = samples_in(session, window)
    if not samples:
        return EMPTY, samples
    first, last = samples[0], samples[-1]
    stats = WindowStats(
        len(samples),
        from_epoch(first["timestamp_s"]),
        from_epoch(last["timestamp_s"]),
        last.copy(),
    )
    return stats, samples
