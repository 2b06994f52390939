"""Per-window sample statistics (count, first and last time, newest sample) that cost
the same for a month or years of history.

Each window is split (:func:`_plan`) into whole UTC days below the daily level's
watermark and raw edges, its whole days into whole UTC months below the monthly
level's watermark (``samples_1mo``) and the days around them (:func:`_stored_ranges`),
and each raw edge (up to a day) into whole UTC hours below the hourly level's
watermark (``samples_1h``) and raw minutes. Counts are the stored monthly, daily and
hourly counts plus the raw samples of the minutes: at most one row per month, 2 x 31
day rows, 2 x 23 hour rows and 2 x 2 raw hours per window, however long the history
and whatever the time of day (a whole raw tail grew from nothing at midnight to 288
samples per node before the next). A stored day that a write touched since the
refresh that stored it (a late, duplicate, corrected or deleted sample) is read raw
instead (:data:`app.services.series.sql.STALE_DAYS_SQL`), and so is a whole edge whose
stored hours lie in a touched day; the month that holds a touched day is read as days,
so counts are exact as soon as the write commits: every level is refreshed from the
same writes, and a stale bucket is never taken. The first and last time and the
newest sample come from the raw ranges (one statement), or from one index probe in
the first or last stored day or hour.

Why not one statement with a lateral subquery per window (the former design): every
statement over the samples hypertable is planned for each chunk its time bounds may
touch, and a lateral subquery with per-row bounds may touch all of them (and excludes
chunks again at every rescan), so its cost grew with the history (1.2-1.5 s for 100
nodes at a year; JIT compilation added seconds). Here raw reads are grouped by time
(:func:`_grouped`): each group has constant bounds, so the planner keeps only the
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
from app.services.series.epoch import EPOCH, from_epoch
from app.services.series.extent import SeriesSource
from app.services.series.samples import SampleObject, sample_objects, samples_in
from app.services.series.stored import (
    Split,
    month_floor,
    next_month,
    split_utc,
    whole_months,
)
from app.services.series.window import Window

ONE_DAY = tb.LEVEL_1D.width
#: The stored levels a stored range is read from (``_STORED``'s level names).
MONTHS, DAYS = "1mo", tb.LEVEL_1D.name
#: The prefix of each level's range arrays in ``_STORED``.
LEVEL_PARAMS = {MONTHS: "mo", DAYS: "d", tb.LEVEL_1H.name: "h"}
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
class _Plan:
    """How a window is read: whole stored days, and its raw edges around them split
    again at whole stored hours (``edges``, one :class:`Split` per raw edge)."""

    days: Split
    edges: tuple[Split, ...]


@dataclass(frozen=True)
class _Stored:
    """What the stored levels say of a window: count, and the first and last stored
    bucket with samples (a day or an hour of the edges; None: none)."""

    count: int = 0
    first: Window | None = None
    last: Window | None = None


@dataclass(frozen=True)
class _Range:
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
    plans = [
        _plan(w, setup.watermark, setup.hour_watermark if setup.watermark else None)
        for _, w in windows
    ]
    stale, stale_edges = _stale(session, windows, plans, setup)
    stored = _stored(
        session,
        windows,
        plans,
        stale,
        stale_edges,
        setup.month_watermark,
        with_first=with_first,
    )
    ranges = [
        _Range(index, node_id, part)
        for index, (node_id, _) in enumerate(windows)
        for part in (
            *_raw_parts(plans[index], stale_edges.get(index, frozenset())),
            *(_day(d) for d in stale.get(index, ())),
        )
    ]
    per_window: dict[int, list[_Found]] = {}
    for item, found in zip(ranges, _read_ranges(session, ranges), strict=True):
        per_window.setdefault(item.key, []).append(found)
    counts = [
        stored[i].count + sum(f.count for f in per_window.get(i, ()))
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


def newest_sample_time(session: Session) -> datetime | None:
    """The time of the newest sample of any node (the back office's dashboard).

    ``max(time)`` over the hypertable reads every chunk (no index leads with time:
    11 s at a year of 100 nodes). The newest sample is in the fresh tail above the
    daily watermark, or else in the last stored day, both read with constant bounds.
    """
    watermark = session.execute(sql.STATS_SETUP_SQL).one().watermark
    if watermark is not None:
        tail = _newest_since(session, watermark - ONE_DAY)
        if tail is not None:
            return tail
        day = session.execute(sql.NEWEST_DAY_SQL).scalar()
        if day is not None:
            newest = _newest_since(session, day)
            if newest is not None:
                return newest
    # Nothing stored yet (or the last stored day was emptied since): every chunk.
    return _newest_since(session, EPOCH)


def _newest_since(session: Session, since: datetime) -> datetime | None:
    ((newest,),) = sql.fetch_all(session, sql.NEWEST_SINCE_SQL, {"since": since})
    result: datetime | None = newest
    return result


def samples_and_stats(
    session: Session, source: SeriesSource, window: Window
) -> tuple[WindowStats, list[SampleObject]]:
    """Return a window's statistics and samples from one query (the samples').

    The statistics of :func:`window_stats` follow from the samples themselves:
    their number, the first and last times and the newest sample.
    """
    samples = samples_in(session, source, window)
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


def _day(day: datetime) -> Window:
    return Window(day, day + ONE_DAY)


def _plan(
    window: Window, watermark: datetime | None, hour_watermark: datetime | None
) -> _Plan:
    """Split ``window`` at whole stored days, and its raw edges at whole stored hours.

    A raw edge is up to a day of samples (288 at 5 minutes) before and after the
    stored days; counting them was most of a list's time (10 ms for 100
    installations) and grew through the day with the fresh tail. As whole hours
    (``samples_1h``) and raw minutes it is at most 23 + 2 x 11 rows.
    """
    days = split_utc(window, tb.LEVEL_1D.seconds, watermark)
    edges = tuple(
        split_utc(edge, tb.LEVEL_1H.seconds, hour_watermark) for edge in days.raw
    )
    return _Plan(days, edges)


def _raw_parts(plan: _Plan, stale_edges: frozenset[int]) -> list[Window]:
    """The raw ranges of a window: its edges' raw minutes, or a whole edge when its
    stored hours may be stale."""
    parts: list[Window] = []
    for index, edge in enumerate(plan.edges):
        if index in stale_edges:
            parts.append(Window(edge.before.start, edge.after.stop))
        else:
            parts.extend(edge.raw)
    return parts


def _stale(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    plans: Sequence[_Plan],
    setup: Any,
) -> tuple[dict[int, list[datetime]], dict[int, frozenset[int]]]:
    """What a write touched since it was stored, per window: the stored days, and the
    edges whose stored hours lie in a touched day (those edges are read raw whole).
    """
    spans = [
        span
        for plan in plans
        for span in (plan.days.stored, *(e.stored for e in plan.edges))
        if not span.is_empty
    ]
    bound = max(
        (m for m in (setup.watermark, setup.hour_watermark) if m is not None),
        default=None,
    )
    if bound is None or not spans:
        return {}, {}
    statement = sql.STALE_DAYS_SQL[bool(setup.logged)]
    rows = session.execute(
        statement,
        {
            "nodes": [node_id for node_id, _ in windows],
            "watermark": bound,
            "oldest": min(span.start for span in spans),
        },
    ).all()
    days: dict[uuid.UUID | None, list[datetime]] = {}
    for node_id, day in rows:
        days.setdefault(node_id, []).append(day)
    stale: dict[int, list[datetime]] = {}
    stale_edges: dict[int, frozenset[int]] = {}
    for index, ((node_id, _), plan) in enumerate(zip(windows, plans, strict=True)):
        touched = [*days.get(node_id, ()), *days.get(None, ())]
        stored = plan.days.stored
        inside = sorted({d for d in touched if stored.start <= d < stored.stop})
        if inside:
            stale[index] = inside
        edges = frozenset(
            i
            for i, edge in enumerate(plan.edges)
            if any(_overlaps(_day(d), edge.stored) for d in touched)
        )
        if edges:
            stale_edges[index] = edges
    return stale, stale_edges


def _overlaps(a: Window, b: Window) -> bool:
    return not b.is_empty and a.start < b.stop and b.start < a.stop


def _stored(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    plans: Sequence[_Plan],
    stale: dict[int, list[datetime]],
    stale_edges: dict[int, frozenset[int]],
    month_mark: datetime | None,
    *,
    with_first: bool,
) -> list[_Stored]:
    """Stored count, and first (if asked for) and last stored bucket of each window."""
    skip = sorted({(windows[i][0], d) for i, days in stale.items() for d in days})
    skipped = {
        "skip_nodes": [node_id for node_id, _ in skip],
        "skip_days": [d for _, d in skip],
    }
    ranges = [
        (i, windows[i][0], read, level)
        for i, plan in enumerate(plans)
        for read, level in (
            *_stored_ranges(plan.days.stored, stale.get(i, ()), month_mark),
            *(
                (edge.stored, tb.LEVEL_1H.name)
                for e, edge in enumerate(plan.edges)
                if not edge.stored.is_empty and e not in stale_edges.get(i, frozenset())
            ),
        )
    ]
    by_level = {
        level: [r for r in ranges if r[3] == level]
        for level in (MONTHS, DAYS, tb.LEVEL_1H.name)
    }
    rows = sql.fetch_all(
        session,
        sql.STORED_SQL[bool(skip), with_first],
        {
            **{
                f"{LEVEL_PARAMS[level]}_{name}": [r[column] for r in of_level]
                for level, of_level in by_level.items()
                for name, column in (("keys", 0), ("nodes", 1))
            },
            **{
                f"{LEVEL_PARAMS[level]}_{name}": [
                    getattr(r[2], bound) for r in of_level
                ]
                for level, of_level in by_level.items()
                for name, bound in (("lo", "start"), ("hi", "stop"))
            },
            "month_mark": month_mark,
            "days_keys": list(range(len(windows))),
            "days_nodes": [node_id for node_id, _ in windows],
            "m0": [p.days.stored.start for p in plans],
            "m1": [p.days.stored.stop for p in plans],
            **skipped,
        },
        prepared=True,  # rollups only (no raw samples): a generic plan is as good
    )
    result = [_Stored()] * len(windows)
    for key, count, first_day, last_day, first_hour, last_hour in rows:
        result[key] = _Stored(
            int(count or 0),
            _bucket(first_day, first_hour, newest=False),
            _bucket(last_day, last_hour, newest=True),
        )
    return result


def _bucket(
    day: datetime | None, hour: datetime | None, *, newest: bool
) -> Window | None:
    """The later (earlier) of a stored day and a stored hour, as its bucket.

    Stored hours lie in the edges around the stored days, so the two never overlap
    and their starts order them.
    """
    found = [
        Window(start, start + width)
        for start, width in ((day, ONE_DAY), (hour, tb.LEVEL_1H.width))
        if start is not None
    ]
    if not found:
        return None
    pick = max if newest else min
    return pick(found, key=lambda w: w.start)


def _stored_ranges(
    days: Window, stale: Sequence[datetime], month_mark: datetime | None
) -> list[tuple[Window, str]]:
    """The stored ranges that make up ``days``: (range, level: ``1mo`` or ``1d``).

    Whole months below ``month_mark`` are read monthly, except a month holding a
    ``stale`` day: it is read as days (the stale day itself is skipped there and read
    raw), since its stored month still counts that day as it was.
    """
    if days.is_empty:
        return []
    months = whole_months(days, month_mark)
    if months.is_empty:
        return [(days, DAYS)]
    ranges = [(Window(days.start, months.start), DAYS)]
    cursor = months.start
    for month in sorted(
        {month_floor(d) for d in stale if months.start <= d < months.stop}
    ):
        ranges += [
            (Window(cursor, month), MONTHS),
            (Window(month, next_month(month)), DAYS),
        ]
        cursor = next_month(month)
    ranges += [
        (Window(cursor, months.stop), MONTHS),
        (Window(months.stop, days.stop), DAYS),
    ]
    return [(read, level) for read, level in ranges if not read.is_empty]


def _edges(
    session: Session,
    windows: Sequence[tuple[uuid.UUID, Window]],
    stored: Sequence[_Stored],
    per_window: dict[int, list[_Found]],
    *,
    newest: bool,
) -> list[_Found | None]:
    """The raw range holding the newest (or oldest) sample of each window.

    One of the raw ranges read when it holds a sample beyond the last (first)
    stored bucket (a day, or an hour of the edges), else one probe of that bucket
    (read as a raw range, so it brings the newest sample along).
    """
    result: list[_Found | None] = []
    probes: list[_Range] = []
    for index in range(len(windows)):
        best: _Found | None = None
        for found in per_window.get(index, ()):
            if _beyond(_edge(found, newest), _edge(best, newest), newest):
                best = found
        bucket = stored[index].last if newest else stored[index].first
        # Raw ranges never overlap a (non-stale) stored bucket: compare its start.
        if bucket is not None and _beyond(bucket.start, _edge(best, newest), newest):
            probes.append(_Range(index, windows[index][0], bucket))
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


def _read_ranges(session: Session, ranges: Sequence[_Range]) -> list[_Found]:
    """Count, first and last time and newest sample of each range, in order (one
    statement)."""
    if not ranges:
        return []
    count, params = _grouped(ranges)
    rows = sql.fetch_all(session, sql.ranges_sql(count), params)
    by_key = {
        key: _Found(int(n), first, last, sample if last is not None else None)
        for (key, n, first, last, *_), sample in zip(
            rows, sample_objects(row[4:] for row in rows), strict=True
        )
    }
    return [by_key[i] for i in range(len(ranges))]


def _grouped(ranges: Sequence[_Range]) -> tuple[int, dict[str, Any]]:
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
