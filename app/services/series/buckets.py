"""Bucket arithmetic for downsampled series: UTC grids and local days.

Pure functions, no database. Times are aware ``datetime`` objects in UTC; grids are
computed on integer microseconds since the Unix epoch, so no float rounding creeps in.
TimescaleDB's ``time_bucket`` aligns 10-minute, 1-hour and 1-day buckets to the epoch
too (its default origin, 2000-01-03, is a whole number of days after it).

A local day starts at the first instant whose wall-clock date is that day (local
midnight; after a DST jump at midnight, the first wall time that exists).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.services.series.epoch import EPOCH, to_epoch
from app.services.series.window import ONE_US

US_PER_S = 1_000_000


@dataclass(frozen=True)
class Level:
    """A stored aggregation level: its name, bucket width and relation."""

    name: str
    seconds: int
    relation: str

    @property
    def width(self) -> timedelta:
        """The bucket width."""
        return timedelta(seconds=self.seconds)


LEVEL_10M = Level("10m", 600, "samples_10m")
LEVEL_1H = Level("1h", 3600, "samples_1h")
LEVEL_1D = Level("1d", 86400, "samples_1d")
LEVELS = {level.name: level for level in (LEVEL_10M, LEVEL_1H, LEVEL_1D)}
#: Local days of one zone (``series_day_zone()``), 23-25 hours each: not a grid level.
LEVEL_1D_LOCAL = Level("1d_local", 86400, "samples_1d_local")


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch."""
    return (moment - EPOCH) // ONE_US


def from_us(micros: int) -> datetime:
    """The instant ``micros`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def floor(moment: datetime, seconds: int) -> datetime:
    """The start of the ``seconds``-wide UTC bucket holding ``moment``."""
    micros = to_us(moment)
    return from_us(micros - micros % (seconds * US_PER_S))


def ceil(moment: datetime, seconds: int) -> datetime:
    """The first ``seconds``-wide UTC bucket boundary at or after ``moment``."""
    start = floor(moment, seconds)
    return start if start == moment else start + timedelta(seconds=seconds)


def grid_count(first: datetime, last: datetime, seconds: int) -> int:
    """How many ``seconds``-wide buckets span ``first`` to ``last`` (both included)."""
    if last < first:
        return 0
    span = to_us(floor(last, seconds)) - to_us(floor(first, seconds))
    return span // (seconds * US_PER_S) + 1


def grid(first: datetime, last: datetime, seconds: int) -> Iterator[datetime]:
    """The starts of the ``seconds``-wide buckets from ``first``'s to ``last``'s."""
    step = timedelta(seconds=seconds)
    current, end = floor(first, seconds), floor(last, seconds)
    while current <= end:
        yield current
        current += step


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The wall-clock date of ``moment`` in ``zone``."""
    return moment.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC.

    Local midnight; a midnight repeated by a DST fall-back counts from its first
    occurrence, a midnight skipped by a DST jump from the first wall time after it
    (Python's ``fold=0`` rule gives both).
    """
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def days(first: date, last: date) -> Iterator[date]:
    """Every date from ``first`` to ``last``, both included."""
    current = first
    while current <= last:
        yield current
        current += timedelta(days=1)


def first_day_start_at_or_after(moment: datetime, zone: ZoneInfo) -> datetime:
    """The earliest local day start that is not before ``moment``."""
    day = local_date(moment, zone)
    start = day_start(day, zone)
    return start if start >= moment else day_start(day + timedelta(days=1), zone)


def last_day_start_at_or_before(moment: datetime, zone: ZoneInfo) -> datetime:
    """The latest local day start that is not after ``moment``."""
    day = local_date(moment, zone)
    start = day_start(day, zone)
    return start if start <= moment else day_start(day - timedelta(days=1), zone)


@lru_cache(maxsize=256)  # pure; a year of days is ~1.5 ms of date arithmetic
def day_starts_s(first: date, last: date, zone: ZoneInfo) -> tuple[int, ...]:
    """Epoch seconds of the start of every local day from ``first`` to ``last``."""
    return tuple(to_epoch(day_start(d, zone)) for d in days(first, last))


@lru_cache(maxsize=256)  # pure; a year of days is ~2 ms of date arithmetic
def day_grid_level(first: date, last: date, zone: ZoneInfo) -> Level | None:
    """The coarsest stored level whose buckets never straddle a local day in the span.

    UTC days for zones at offset 0, hours for whole-hour offsets (Europe/Berlin on DST
    days too), 10 minutes for half-hour offsets (Asia/Kolkata); None (use raw
    samples) for zones such as Asia/Kathmandu (+05:45).

    Args:
        first: the first local date of the span.
        last: the last local date of the span.
        zone: the time zone.

    Returns:
        The level, or None when only raw samples align.
    """
    starts = [to_us(day_start(d, zone)) for d in days(first, last + timedelta(days=1))]
    for level in (LEVEL_1D, LEVEL_1H, LEVEL_10M):
        size = level.seconds * US_PER_S
        if all(start % size == 0 for start in starts):
            return level
    return None
