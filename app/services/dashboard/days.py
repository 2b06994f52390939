"""A room's air-quality figures per local day, and a month assembled from them.

The month analysis of :mod:`app.services.airquality` (medal, weekday x hour
profile, daily table) only ever sums within a day: a day's grid points depend on
the samples of that day and its 30-minute margins, its hours never cross
midnight. So a month is the concatenation of its days' sums, and figures kept per
day (``room_air_days``, written by :mod:`app.services.dashboard.rollup`) give bit
for bit the same result as the raw computation, with the divisions done by the
same :func:`~app.services.airquality.metrics.from_totals`.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, Protocol, TypeVar
from zoneinfo import ZoneInfo

import numpy as np

from sqlalchemy.orm import Session

from app.services.airquality.grid import (
    PAD,
    Buckets,
    FloatArray,
    IntArray,
    load_grouped,
    rooms_values,
)
from app.services.airquality.metrics import (
    Groups,
    LocalClock,
    clean_air_medal,
    from_totals,
    local_clock,
    profile,
    run_sums,
    runs,
    valid_hours,
)
from app.services.airquality.period import Period, YearMonth, month_period
from app.services.airquality.rules import STEP_S
from app.services.airquality.service import RoomAirQuality, day_table
from app.services.airquality.sources import MARGIN, Span
from app.services.series.buckets import day_start

K = TypeVar("K", bound=Hashable)

#: The end of an open installation (the grid's scan bounds clip it).
_OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1).toordinal()


class Installed(Protocol):
    """What a day's figures need of an installation (an ORM row or a plain one)."""

    @property
    def id(self) -> int:
        """The installation's id."""

    @property
    def node_id(self) -> uuid.UUID:
        """Its node."""

    @property
    def from_time(self) -> datetime:
        """When it began."""

    @property
    def to_time(self) -> datetime | None:
        """When it ended (None: not yet)."""


class DayFigures(NamedTuple):
    """The sums of one room's 10-minute grid over one local day.

    Attributes:
        day: the local date.
        points: grid points of the day (143/144/150 with DST).
        present: points with a value.
        co2_max: the largest value (NaN without values).
        co2_sum: the sum of the values.
        excess_points: points at or above the clean-air threshold.
        excess_sum: their summed excess over the threshold.
        hour_of_day: the local hour of each complete hour, in time order.
        hour_mean: the mean of each complete hour.
    """

    day: date
    points: int
    present: int
    co2_max: float
    co2_sum: float
    excess_points: int
    excess_sum: float
    hour_of_day: tuple[int, ...] = ()
    hour_mean: tuple[float, ...] = ()


def day_period(first: date, after: date, zone: ZoneInfo) -> Period:
    """The local days ``[first, after)`` as an analysis period."""
    return Period(
        day_start(first, zone), day_start(after, zone), first, (after - first).days
    )


def empty_day(day: date, zone: ZoneInfo) -> DayFigures:
    """A day without any installation: every point missing."""
    period = day_period(day, day + timedelta(days=1), zone)
    return DayFigures(day, period.points, 0, math.nan, 0.0, 0, 0.0)


def spans_of(installations: Iterable[Installed]) -> list[Span]:
    """The sample spans of installations (the grid clips them to the period)."""
    return [
        Span(i.id, i.node_id, i.from_time, i.to_time or _OPEN_END)
        for i in installations
    ]


def windows(dates: Sequence[date], zone: ZoneInfo) -> list[tuple[int, int]]:
    """Epoch seconds of each day's window: the day and its margins, both inclusive."""
    margin = int(MARGIN.total_seconds())
    return [
        (
            int(day_start(day, zone).timestamp()) - margin,
            int(day_start(day + timedelta(days=1), zone).timestamp()) + margin,
        )
        for day in dates
    ]


Bounds = list[tuple[int, int, int | None]]


def bounds(installations: Iterable[Installed]) -> Bounds:
    """Installations as (id, from, to or None) epoch seconds, by id: what
    :func:`sources` clips, converted once per room instead of once per day."""
    return sorted(
        (
            i.id,
            int(i.from_time.timestamp()),
            None if i.to_time is None else int(i.to_time.timestamp()),
        )
        for i in installations
    )


def sources(installed: Bounds, window: tuple[int, int]) -> str:
    """Name the installations behind a day's figures, clipped to its ``window``.

    Two views of a room (a member's, the public's) or an installation ended or
    moved later give different text, so a stored day is used only for exactly
    the installations it was computed from. ``""`` means none.
    """
    lo, hi = window
    parts = []
    for ident, start, end in installed:
        first = start if start > lo else lo
        last = hi if end is None or end > hi else end
        if first <= last:
            parts.append(f"{ident}:{first}-{last}")
    return ",".join(parts)


def compute_days(
    session: Session,
    rooms: Mapping[K, Sequence[Span]],
    first: date,
    after: date,
    timezone: str,
    *,
    hours: bool = True,
) -> dict[K, list[DayFigures]]:
    """Compute the figures of every day ``[first, after)`` from raw samples.

    One sample query for all keys (``grid.load_grouped``), numpy per key.

    Args:
        session: the database session (read only).
        rooms: the spans feeding each key (a room as some view sees it).
        first: the first local day.
        after: the day after the last.
        timezone: IANA name of the analysis zone.
        hours: also the complete hours (the weekday profile's input).

    Returns:
        Each key's days in order.
    """
    zone = ZoneInfo(timezone)
    period = day_period(first, after, zone)
    spans: list[Span] = []
    groups: list[int] = []
    series: dict[tuple[K, object], int] = {}
    owner: dict[int, K] = {}
    for key, key_spans in rooms.items():
        for span in key_spans:
            group = series.setdefault((key, span.node_id), len(series))
            owner[group] = key
            spans.append(span)
            groups.append(group)
    by_key: dict[K, list[Buckets]] = defaultdict(list)
    for group, buckets in load_grouped(session, spans, groups, period).items():
        by_key[owner[group]].append(buckets)
    # Days starting more than PAD buckets after a room's last sample have no
    # value at all: the grid (and the local clock) stop before them.
    last = {
        key: max((int(b.k[-1]) for b in nodes if len(b.k)), default=-1)
        for key, nodes in by_key.items()
    }
    day_starts = np.array(
        [day_start(first + timedelta(days=i), zone) for i in range(period.days + 1)]
    )
    starts_s = np.array([int(d.timestamp()) for d in day_starts], dtype=np.int64)
    marks = (starts_s - period.start_s) // STEP_S  # each day's first grid point
    reach = max(last.values(), default=-1) + PAD + 1
    upto_all = int(np.searchsorted(marks[:-1], reach)) if last else 0
    clock = local_clock(period.start_s, int(marks[upto_all]), timezone)
    dates = [first + timedelta(days=i) for i in range(period.days)]
    lengths = np.diff(marks)
    empty = [
        DayFigures(day, int(n), 0, math.nan, 0.0, 0, 0.0)
        for day, n in zip(dates, lengths, strict=True)
    ]
    # Every key's grid in one set of numpy calls (a row per key).
    keys = list(rooms)
    row_of = {key: row for row, key in enumerate(keys)}
    nodes = [(row_of[key], b) for key, found in by_key.items() for b in found]
    grids = rooms_values(
        [b for _, b in nodes],
        np.array([row for row, _ in nodes], dtype=np.int64),
        len(keys),
        period.start_s,
        len(clock.day),
    )
    day_runs = runs(clock.day)  # the first point of each day the clock covers
    found = {}
    for key, values in zip(keys, grids, strict=True):
        upto = (
            int(np.searchsorted(marks[:-1], last[key] + PAD + 1)) if key in last else 0
        )
        computed = _grid_days(
            values[: int(marks[upto])],
            day_runs[:upto],
            _head(clock, int(marks[upto])),
            dates[:upto],
            hours,
        )
        found[key] = computed + empty[upto:]
    return found


def _head(clock: LocalClock, end: int) -> LocalClock:
    """The clock of the first ``end`` grid points."""
    return LocalClock(
        clock.day[:end], clock.hour[:end], clock.hour_of_day[:end], clock.weekday[:end]
    )


def _grid_days(
    values: FloatArray,
    starts: IntArray,
    clock: LocalClock,
    dates: list[date],
    hours: bool,
) -> list[DayFigures]:
    """The figures of the days ``clock`` covers from one room's grid ``values``
    (``starts``: the first point of each of those days)."""
    if not dates:
        return []
    sums = run_sums(values, starts)
    present = sums.present.tolist()
    maximum = np.where(sums.present > 0, sums.maximum, np.nan).tolist()
    total, excess = sums.total.tolist(), sums.excess_total.tolist()
    points, excess_points = sums.points.tolist(), sums.excess_points.tolist()
    cut: list[int]
    of_hour: list[int]
    means: list[float]
    if hours:
        hour_first, hour_means = valid_hours(values, clock)
        # the complete hours of each day: those starting within its run
        cut = [*np.searchsorted(hour_first, starts).tolist(), len(hour_first)]
        of_hour = clock.hour_of_day[hour_first].tolist()
        means = hour_means.tolist()
    else:
        cut, of_hour, means = [0] * (len(starts) + 1), [], []
    return [
        DayFigures(
            day=dates[i],
            points=points[i],
            present=present[i],
            co2_max=maximum[i],
            co2_sum=total[i],
            excess_points=excess_points[i],
            excess_sum=excess[i],
            hour_of_day=tuple(of_hour[cut[i] : cut[i + 1]]),
            hour_mean=tuple(means[cut[i] : cut[i + 1]]),
        )
        for i in range(len(starts))
    ]


def month_quality(
    room_id: int,
    month: YearMonth,
    days: Sequence[DayFigures],
    zone: ZoneInfo,
    *,
    ended: int | None = None,
    detail: bool = True,
) -> RoomAirQuality:
    """The month's medal, weekday x hour profile and daily table from its days.

    ``days`` are every day of the month in order, the first ``ended`` of them
    over (None: all; see :func:`clean_air_medal`); without ``detail`` only the
    medal (a list of rooms shows no more).
    """
    period = month_period(month, zone)
    points = np.array([d.points for d in days], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(points)[:-1])).astype(np.int64)
    groups = from_totals(
        starts,
        points,
        np.array([d.present for d in days], dtype=np.int64),
        np.array([d.co2_max for d in days], dtype=np.float64),
        np.array([d.co2_sum for d in days], dtype=np.float64),
        np.array([d.excess_points for d in days], dtype=np.int64),
        np.array([d.excess_sum for d in days], dtype=np.float64),
    )
    medal = clean_air_medal(groups, ended)
    if not detail:
        return RoomAirQuality(room_id, period, medal, None, None)
    slots = [
        ((d.day.weekday()) * 24 + hour, mean)
        for d in days
        for hour, mean in zip(d.hour_of_day, d.hour_mean, strict=True)
    ]
    slot = np.array([s for s, _ in slots], dtype=np.int64)
    means = np.array([m for _, m in slots], dtype=np.float64)
    return RoomAirQuality(
        room_id=room_id,
        period=period,
        clean_air_medal=medal,
        histogram=profile(slot, means),
        days=day_table(groups, [d.day for d in days], period),
    )


_GROUP_FIELDS = tuple(f.name for f in fields(Groups))


def month_medals(
    months: Mapping[K, Sequence[DayFigures]], ended: int | None = None
) -> dict[K, bool]:
    """The clean-air medal of each key's month (every day of it, in order, the
    first ``ended`` of them over; None: all).

    What :func:`month_quality` decides per room, with the divisions of all rooms
    in one :func:`from_totals` call (the overview decides 50 medals per request).
    """
    days = [day for month in months.values() for day in month]
    n = len(days)
    groups = from_totals(
        np.zeros(n, dtype=np.int64),
        np.fromiter((d.points for d in days), np.int64, n),
        np.fromiter((d.present for d in days), np.int64, n),
        np.fromiter((d.co2_max for d in days), np.float64, n),
        np.fromiter((d.co2_sum for d in days), np.float64, n),
        np.fromiter((d.excess_points for d in days), np.int64, n),
        np.fromiter((d.excess_sum for d in days), np.float64, n),
    )
    columns = [getattr(groups, name) for name in _GROUP_FIELDS]
    medals, end = {}, 0
    for key, month in months.items():
        start, end = end, end + len(month)
        medals[key] = clean_air_medal(Groups(*(c[start:end] for c in columns)), ended)
    return medals


def month_days(month: YearMonth) -> list[date]:
    """Every date of ``month``."""
    first, after = month.first_day(), month.first_day_after()
    return [first + timedelta(days=i) for i in range((after - first).days)]
