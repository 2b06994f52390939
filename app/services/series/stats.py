"""Per-window sample statistics (count, first and last time, newest sample) that cost
the same for a month or years of history.

Each window is split (:func:`app.services.series.stored.split_utc`) into whole UTC days
below the daily level's watermark and raw edges, and its whole days into whole UTC
months below the monthly level's watermark (``samples_1mo``) and the days around them
(:func:`_stored_ranges`). Counts are the stored monthly and daily counts plus the raw
samples of the edges: at most one row per month and 2 x 31 day rows per window,
however long the history (one row per day grew with it: 37 ms for 100 nodes at a
year). A stored day that a write touched since the refresh that stored it (a late,
duplicate, corrected or deleted sample) is read raw instead
(:data:`app.services.series.sql.STALE_DAYS_SQL`), and the month that holds it is read
as days, so counts are exact as soon as the write commits: both levels are refreshed
from the same days, and a stale day's month is never taken whole. The first and last
time come from the raw edges, or from one index probe in the first or last stored day.

Why not one statement with a lateral subquery per window (the former design): every
statement over the samples hypertable is planned for each chunk its time bounds may
touch, and a lateral subquery with per-row bounds may touch all of them (and excludes
chunks again at every rescan), so its cost grew with the history (1.2-1.5 s for 100
nodes at a year; JIT compilation added seconds). Here raw reads are grouped by time
(:func:`group_ranges`): each group has constant bounds, so the planner keeps only the
chunks of a few days, whatever the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.services.series import buckets as tb
from app.services.series import sql
from app.services.series.epoch import from_epoch
from app.services.series.samples import SampleChunks, SampleObject, sample_objects
from app.services.series.stored import (
    Split,
    month_floor,
    next_month,
    split_utc,
    whole_months,
)
from app.services.series.window import Window

ONE_DAY = tb.LEVEL_1D.width
#: Raw ranges starting within this span of each other are read by one subquery; its
#: constant bounds keep the plan to the chunks of that span (2-3 chunks of 7 days).
GROUP_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class WindowStats:
    """What the node and installation resources show about a window's samples.

    Attributes:
        count: samples in the window.
        first: time of the oldest sample, None when empty (or not asked for).
        last: time of the newest sample, None when empty.
        latest: the newest sample object, None when empty.
    """

    count: int
    first: datetime | None = None
    last: datetime | None = None
    latest: SampleObject | None = None


EMPTY = WindowStats(0)


@dataclass(frozen=True)
class RawRange:
    """A raw range to read: ``window`` of ``node_id``, answered under ``key``."""

    key: int
    node_id: uuid.UUID
    window: Window


@dataclass(frozen=True)
class _Found:
    """Count, oldest and newest time, and the newest sample of a raw range."""

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    newest: SampleObject | None = None


def window_stats(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    *,
    with_first: bool = False,
) -> list[WindowStats]:
    """Return the statistics of each (node, window), in order.

    A constant number of statements (four to six) whatever the number of windows
    and the length of the history.

    Args:
        session: the session.
        windows: the node and window of each; the caller has checked visibility.
        with_first: also find the first sample's time (only details show it).

    Returns:
        One :class:`WindowStats` per window.
    """
    if not windows:
        return []
    setup = session.execute(sql.STATS_SETUP_SQL).one()
    parts = [split_utc(w, tb.LEVEL_1D.seconds, setup.watermark) for _, w in windows]
    stale = _stale_days(session, windows, parts, setup)
    stored = _stored(
        session, windows, parts, stale, setup.month_watermark, with_first=with_first
    )
    ranges = [
        RawRange(index, node_id, part)
        for index, ((node_id, _), split) in enumerate(zip(windows, parts, strict=True))
        for part in (*split.raw, *(_day(d) for d in stale.get(index, ())))
    ]
    per_window: dict[int, list[_Found]] = {}
    for item, found in zip(ranges, _read_ranges(session, ranges), strict=True):
        per_window.setdefault(item.key, []).append(found)
    counts = [
        stored[i][0] + sum(f.count for f in per_window.get(i, ()))
        for i in range(len(windows))
    ]
    lasts = _edges(session, windows, stored, per_window, newest=True)
    firsts = (
        _edges(session, windows, stored, per_window, newest=False)
        if with_first
        else [None] * len(windows)
    )
    return [
        WindowStats(
            count,
            first.first if first else None,
            last.last if last else None,
            last.newest.copy() if last and last.newest else None,
        )
        if count
        else EMPTY
        for count, first, last in zip(counts, firsts, lasts, strict=True)
    ]


def stats_of(samples: SampleChunks) -> WindowStats:
    """The statistics of :func:`window_stats`, counted from a window's samples once
    they were read: their number, the first and last times and the newest sample."""
    first, last = samples.first, samples.last
    if first is None or last is None:
        return EMPTY
    return WindowStats(
        samples.count,
        from_epoch(first["timestamp_s"]),
        from_epoch(last["timestamp_s"]),
        last.copy(),
    )


def _day(day: datetime) -> Window:
    return Window(day, day + ONE_DAY)


def _stale_days(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    parts: Sequence[Split],
    setup: Any,
) -> dict[int, list[datetime]]:
    """The stored days of each window that a write touched since they were stored."""
    if setup.watermark is None:
        return {}
    statement = sql.STALE_DAYS_SQL[bool(setup.logged)]
    rows = session.execute(
        statement,
        {
            "nodes": [node_id for node_id, _ in windows],
            "watermark": setup.watermark,
            "oldest": min(p.stored.start for p in parts),
        },
    ).all()
    days: dict[uuid.UUID | None, list[datetime]] = {}
    for node_id, day in rows:
        days.setdefault(node_id, []).append(day)
    stale: dict[int, list[datetime]] = {}
    for index, ((node_id, _), split) in enumerate(zip(windows, parts, strict=True)):
        touched = [*days.get(node_id, ()), *days.get(None, ())]
        inside = sorted(
            {d for d in touched if split.stored.start <= d < split.stored.stop}
        )
        if inside:
            stale[index] = inside
    return stale


def _stored(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    parts: Sequence[Split],
    stale: dict[int, list[datetime]],
    month_mark: datetime | None,
    *,
    with_first: bool,
) -> list[tuple[int, datetime | None, datetime | None]]:
    """Stored count, first (if asked for) and last non-stale day of each window."""
    skip = sorted({(windows[i][0], d) for i, days in stale.items() for d in days})
    skipped = {
        "skip_nodes": [node_id for node_id, _ in skip],
        "skip_days": [d for _, d in skip],
    }
    ranges = [
        (i, windows[i][0], read, monthly)
        for i, split in enumerate(parts)
        for read, monthly in _stored_ranges(split.stored, stale.get(i, ()), month_mark)
    ]
    rows = sql.fetch_all(
        session,
        sql.STORED_SQL[bool(skip), with_first],
        {
            "keys": [key for key, _, _, _ in ranges],
            "nodes": [node_id for _, node_id, _, _ in ranges],
            "lo": [read.start for _, _, read, _ in ranges],
            "hi": [read.stop for _, _, read, _ in ranges],
            "monthly": [monthly for _, _, _, monthly in ranges],
            "month_mark": month_mark,
            "days_keys": list(range(len(windows))),
            "days_nodes": [node_id for node_id, _ in windows],
            "m0": [p.stored.start for p in parts],
            "m1": [p.stored.stop for p in parts],
            **skipped,
        },
        prepared=True,  # rollups only (no raw samples): a generic plan is as good
    )
    result: list[tuple[int, datetime | None, datetime | None]] = [
        (0, None, None)
    ] * len(windows)
    for key, count, first_day, last_day in rows:
        result[key] = (int(count or 0), first_day, last_day)
    return result


def _stored_ranges(
    days: Window, stale: Sequence[datetime], month_mark: datetime | None
) -> list[tuple[Window, bool]]:
    """The stored ranges that make up ``days``: (range, read from samples_1mo).

    Whole months below ``month_mark`` are read monthly, except a month holding a
    ``stale`` day: it is read as days (the stale day itself is skipped there and read
    raw), since its stored month still counts that day as it was.
    """
    if days.is_empty:
        return []
    months = whole_months(days, month_mark)
    if months.is_empty:
        return [(days, False)]
    ranges = [(Window(days.start, months.start), False)]
    cursor = months.start
    for month in sorted(
        {month_floor(d) for d in stale if months.start <= d < months.stop}
    ):
        ranges += [
            (Window(cursor, month), True),
            (Window(month, next_month(month)), False),
        ]
        cursor = next_month(month)
    ranges += [
        (Window(cursor, months.stop), True),
        (Window(months.stop, days.stop), False),
    ]
    return [(read, monthly) for read, monthly in ranges if not read.is_empty]


def _edges(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    stored: Sequence[tuple[int, datetime | None, datetime | None]],
    per_window: dict[int, list[_Found]],
    *,
    newest: bool,
) -> list[_Found | None]:
    """The raw range holding the newest (or oldest) sample of each window.

    One of the raw ranges read when it holds a sample beyond the last (first)
    stored day, else one probe of that stored day (read as a raw range, so it
    brings the newest sample along).
    """
    result: list[_Found | None] = []
    probes: list[RawRange] = []
    for index in range(len(windows)):
        best: _Found | None = None
        for found in per_window.get(index, ()):
            if _beyond(_edge(found, newest), _edge(best, newest), newest):
                best = found
        day = stored[index][2] if newest else stored[index][1]
        # Raw ranges never overlap a (non-stale) stored day: compare with its start.
        if day is not None and _beyond(day, _edge(best, newest), newest):
            probes.append(RawRange(index, windows[index][0], _day(day)))
        result.append(best)
    for item, probed in zip(probes, _read_ranges(session, probes), strict=True):
        result[item.key] = probed
    return result


def _edge(found: _Found | None, newest: bool) -> datetime | None:
    if found is None:
        return None
    return found.last if newest else found.first


def _beyond(time: datetime | None, edge: datetime | None, newest: bool) -> bool:
    """Whether ``time`` is newer (older) than ``edge``; None is never beyond."""
    if time is None:
        return False
    return edge is None or (time > edge if newest else time < edge)


def _read_ranges(session: Session, ranges: Sequence[RawRange]) -> list[_Found]:
    """Count, first and last time and newest sample of each range, in order (one
    statement)."""
    if not ranges:
        return []
    count, params = group_ranges(ranges)
    rows = sql.fetch_all(session, sql.ranges_sql(count), params)
    by_key = {
        key: _Found(int(n), first, last, sample if last is not None else None)
        for (key, n, first, last, *_), sample in zip(
            rows, sample_objects(row[4:] for row in rows), strict=True
        )
    }
    return [by_key[i] for i in range(len(ranges))]


def group_ranges(ranges: Sequence[RawRange]) -> tuple[int, dict[str, Any]]:
    """Bind ``ranges`` as groups of nearby ranges (see :data:`GROUP_SPAN`).

    Returns the number of groups and the parameters ``k<g>``, ``n<g>``, ``lo<g>``,
    ``hi<g>`` (arrays) and ``glo<g>``/``ghi<g>`` (the group's constant bounds); the
    key of a range is its position in ``ranges``.
    """
    order = sorted(range(len(ranges)), key=lambda i: ranges[i].window.start)
    groups: list[list[int]] = []
    for i in order:
        start = ranges[i].window.start
        if groups and start - ranges[groups[-1][0]].window.start <= GROUP_SPAN:
            groups[-1].append(i)
        else:
            groups.append([i])
    params: dict[str, Any] = {}
    for g, members in enumerate(groups):
        spans = [ranges[i].window for i in members]
        params[f"k{g}"] = members
        params[f"n{g}"] = [ranges[i].node_id for i in members]
        params[f"lo{g}"] = [w.start for w in spans]
        params[f"hi{g}"] = [w.stop for w in spans]
        params[f"glo{g}"] = min(w.start for w in spans)
        params[f"ghi{g}"] = max(w.stop for w in spans)
    return len(groups), params
