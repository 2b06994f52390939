"""Downsampled series of one node: the read model behind the ``series`` endpoints.

A request names a window, a resolution (``raw``, ``10m``, ``1h``, ``1d`` or
``auto``), aggregates and quantities. The answer is columnar: bucket start times and
one list per quantity and aggregate, with a bucket for every step between the first
and the last sample of the window (``None`` where a bucket has no data; counts 0).
``auto`` picks the finest resolution whose answer fits ``max_points``; when even local
days do not fit, it answers the newest ``max_points`` days, so it never exceeds the
budget whatever the extent.

Buckets: ``10m`` and ``1h`` are UTC-aligned; ``1d`` are local days in ``tz`` (23 or
25 hours on DST days), read from the stored local days (``samples_1d_local``) when
``tz`` is the zone they are kept in, else built from the coarsest stored level whose
buckets never straddle a local midnight. Edge buckets hold only the samples inside
the window. Whole buckets below the level's watermark come from the stored
aggregates (``samples_10m``/``_1h``/``_1d``/``_1d_local``), everything else from raw
samples in the same statement, so a series is always as fresh as the samples table;
a sample written below the watermark shows after the next refresh (see
:mod:`app.services.series.aggregates`).

The caller has checked visibility (``access.get_visible``) and passes the node with
its owner; every statement binds that owner again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.jsonapi.exceptions import ParameterError
from app.services.series import buckets as tb
from app.services.series import sql
from app.services.series.buckets import Level
from app.services.series.epoch import to_epoch
from app.services.series.extent import Facts, SeriesSource, find_facts
from app.services.series.stored import split
from app.services.series.window import Window

__all__ = [
    "MAX_POINTS_LIMIT",
    "RESOLUTIONS",
    "Series",
    "SeriesQuery",
    "SeriesSource",
    "column_names",
    "read_series",
]

RESOLUTIONS = ("raw", "10m", "1h", "1d", "auto")
DEFAULT_MAX_POINTS = 1000
#: Most points any one answer may hold (a year of 5-minute samples fits).
MAX_POINTS_LIMIT = 200_000
EPOCH_DATE = date(1970, 1, 1)


@dataclass(frozen=True)
class SeriesQuery:
    """What to read: window, resolution, aggregates, quantities, day zone."""

    window: Window
    resolution: str = "auto"
    aggregates: tuple[str, ...] = ("avg",)
    quantities: tuple[str, ...] = tuple(sql.QUANTITIES)
    tz: str = "Europe/Berlin"
    max_points: int = DEFAULT_MAX_POINTS


@dataclass(frozen=True)
class Series:
    """A columnar series: ``columns["co2_ppm_avg"][i]`` belongs to ``timestamps_s[i]``.

    ``window`` is the query's, except that ``auto`` over more local days than
    ``max_points`` starts it at the first day it kept (:func:`_newest_days`).
    """

    resolution: str
    tz: str
    window: Window
    timestamps_s: list[int] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)


def column_names(query: SeriesQuery) -> list[str]:
    """The names of the value columns of ``query``'s answer, in order."""
    return [f"{q}_{agg}" for q in query.quantities for agg in query.aggregates]


def read_series(session: Session, source: SeriesSource, query: SeriesQuery) -> Series:
    """Read the series of ``source`` described by ``query``.

    Args:
        session: the database session.
        source: the node and its owning organization (already checked visible).
        query: window, resolution, aggregates, quantities, zone, point budget.

    Returns:
        The series; without buckets (its columns empty lists) when the window
        holds no samples or the node does not belong to ``source.owner_id``.

    Raises:
        ValidationError: the resolution would give more than
            :data:`MAX_POINTS_LIMIT` points (``source.parameter`` ``resolution``).
    """
    # Every column, empty: a client reads the same names whatever the window holds.
    no_values: dict[str, list[Any]] = {name: [] for name in column_names(query)}
    empty = Series(query.resolution, query.tz, query.window, [], no_values)
    if query.window.is_empty:
        return empty
    facts = find_facts(
        session, source, query.window, query.resolution, query.max_points
    )
    if facts is None or facts.first is None or facts.last is None:
        return empty
    data = Window.inclusive(facts.first, facts.last)
    resolution = _resolve(query, facts, data)
    if resolution == "raw":
        return _raw(session, source, query, data)
    if resolution == "1d":
        kept = _newest_days(query, data) if query.resolution == "auto" else data
        series = _days(session, source, query, facts, kept)
        if kept.start > data.start:
            return replace(series, window=Window(kept.start, query.window.stop))
        return series
    return _utc(session, source, query, facts, data, tb.LEVELS[resolution])


def _resolve(query: SeriesQuery, facts: Facts, data: Window) -> str:
    if query.resolution != "auto":
        return query.resolution
    if facts.capped_count <= query.max_points:
        return "raw"
    last = data.last
    for level in (tb.LEVEL_10M, tb.LEVEL_1H):
        if tb.grid_count(data.start, last, level.seconds) <= query.max_points:
            return level.name
    return "1d"


def _newest_days(query: SeriesQuery, data: Window) -> Window:
    """``data`` cut to its newest ``query.max_points`` local days.

    Local days are the coarsest resolution, so ``auto`` keeps its point budget over a
    longer extent (years of history, or a sample from a sensor whose clock was unset)
    by answering the newest days only; the answer's window then starts at the first
    day kept (``from_timestamp_s``), so the caller sees what was left out.
    """
    zone = ZoneInfo(query.tz)
    last_day = tb.local_date(data.last, zone)
    back = min(query.max_points - 1, (last_day - date.min).days)
    start = tb.day_start(last_day - timedelta(days=back), zone)
    return Window(start, data.stop) if start > data.start else data


def _raw(
    session: Session, source: SeriesSource, query: SeriesQuery, data: Window
) -> Series:
    quantities = tuple(sql.QUANTITIES[q] for q in query.quantities)
    rows = sql.fetch_all(
        session,
        sql.raw_values_sql(quantities),
        {
            "node_id": source.node_id,
            "owner_id": source.owner_id,
            "start": data.start,
            "stop": data.stop,
            "row_cap": MAX_POINTS_LIMIT + 1,
        },
    )
    if len(rows) > MAX_POINTS_LIMIT:
        raise _too_many("raw", len(rows))
    columns: dict[str, list[Any]] = {}
    for index, q in enumerate(query.quantities, start=1):
        values = [row[index] for row in rows]
        for agg in query.aggregates:
            columns[f"{q}_{agg}"] = (
                [0 if v is None else 1 for v in values] if agg == "count" else values
            )
    return Series("raw", query.tz, query.window, [row[0] for row in rows], columns)


def _utc(
    session: Session,
    source: SeriesSource,
    query: SeriesQuery,
    facts: Facts,
    data: Window,
    level: Level,
) -> Series:
    last = data.last
    if tb.grid_count(data.start, last, level.seconds) > MAX_POINTS_LIMIT:
        raise _too_many(level.name, tb.grid_count(data.start, last, level.seconds))
    full = Window(
        tb.ceil(data.start, level.seconds), tb.floor(data.stop, level.seconds)
    )
    rows = _bucketed(
        session, source, query, data, full, level, level, facts, local_days=False
    )
    first_key = to_epoch(tb.floor(data.start, level.seconds))
    last_key = to_epoch(tb.floor(last, level.seconds))
    keys = list(range(first_key, last_key + 1, level.seconds))
    return _columnar(query, level.name, keys, keys, rows)


def _days(
    session: Session,
    source: SeriesSource,
    query: SeriesQuery,
    facts: Facts,
    data: Window,
) -> Series:
    zone = ZoneInfo(query.tz)
    first_day = tb.local_date(data.start, zone)
    last_day = tb.local_date(data.last, zone)
    full = Window(
        tb.first_day_start_at_or_after(data.start, zone),
        tb.last_day_start_at_or_before(data.stop, zone),
    )
    source_level = _day_source(query, facts, full, first_day, last_day, zone)
    rows = _bucketed(
        session,
        source,
        query,
        data,
        full,
        tb.LEVEL_1D,
        source_level,
        facts,
        local_days=True,
    )
    first_key = (first_day - EPOCH_DATE).days
    keys = list(range(first_key, (last_day - EPOCH_DATE).days + 1))
    stamps = list(tb.day_starts_s(first_day, last_day, zone))
    return _columnar(query, "1d", keys, stamps, rows)


def _day_source(
    query: SeriesQuery,
    facts: Facts,
    full: Window,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
) -> Level | None:
    """The stored level local days are read from (None: raw samples only).

    The stored local days when they are kept in the requested zone, reach into the
    window and the zone's days align with 10-minute buckets over it; otherwise the
    coarsest UTC level whose buckets never straddle a local midnight, folded per day.
    Their watermark must be a local midnight (the refresh keeps it one): the stored
    days and the raw edges then hold different days, and each is read to its final
    values once (``sql.bucketed_sql``).
    """
    grid = tb.day_grid_level(first_day, last_day, zone)
    stored = facts.watermarks[tb.LEVEL_1D_LOCAL.name]
    if (
        grid is not None
        and query.tz == facts.day_zone
        and stored is not None
        and stored > full.start
        and stored == tb.day_start(tb.local_date(stored, zone), zone)
    ):
        return tb.LEVEL_1D_LOCAL
    return grid


def _bucketed(
    session: Session,
    source: SeriesSource,
    query: SeriesQuery,
    data: Window,
    full: Window,
    output: Level,
    stored: Level | None,
    facts: Facts,
    *,
    local_days: bool,
) -> dict[int, tuple[Any, ...]]:
    """Run the bucketed statement; returns the value tuple of each bucket key."""
    watermark = facts.watermarks[stored.name] if stored is not None else None
    parts = split(data, full, watermark)
    materialized = None if parts.stored.is_empty else parts.stored
    raw = parts.raw
    statement = sql.bucketed_sql(
        tuple(sql.QUANTITIES[q] for q in query.quantities),
        query.aggregates,
        output=output,
        local_days=local_days,
        source=stored if materialized is not None else None,
        raw_parts=len(raw),
    )
    params: dict[str, Any] = {"node_id": source.node_id, "owner_id": source.owner_id}
    if local_days:
        params["tz"] = query.tz
    if materialized is not None:
        params.update(m0=materialized.start, m1=materialized.stop)
    for index, part in enumerate(raw):
        params[f"r{index}a"], params[f"r{index}b"] = part.start, part.stop
    return {row[0]: row[1:] for row in sql.fetch_all(session, statement, params)}


def _columnar(
    query: SeriesQuery,
    resolution: str,
    keys: list[int],
    stamps: list[int],
    rows: dict[int, tuple[Any, ...]],
) -> Series:
    names = column_names(query)
    empty = tuple(0 if name.endswith("_count") else None for name in names)
    table = [rows.get(key, empty) for key in keys]
    columns = {name: [row[i] for row in table] for i, name in enumerate(names)}
    return Series(resolution, query.tz, query.window, stamps, columns)


def _too_many(resolution: str, points: int) -> ValidationError:
    return ParameterError(
        f"resolution={resolution} gives {points} points, more than "
        f"{MAX_POINTS_LIMIT}; choose a coarser resolution or a shorter window.",
        parameter="resolution",
    )
