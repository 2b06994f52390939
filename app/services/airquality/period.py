"""The analysis period: a calendar month or the past 30 days, in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.services.airquality.rules import RECENT_DAYS, STEP_S
from app.services.series.buckets import day_start

#: The API's timestamps are 32-bit (``2147483647`` is "open end"); months must fit.
FIRST_YEAR = 1970
LAST_YEAR = 2037


@dataclass(frozen=True)
class YearMonth:
    """A calendar month, e.g. ``YearMonth(2020, 10)`` for ``2020-10``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.month <= 12):
            raise ValueError(f"no such month: {self.year}-{self.month}")

    def first_day(self) -> date:
        """Return the first day of the month."""
        return date(self.year, self.month, 1)

    def first_day_after(self) -> date:
        """Return the first day of the following month."""
        year, month = divmod(self.year * 12 + self.month, 12)
        return date(year, month + 1, 1)


@dataclass(frozen=True)
class Period:
    """The whole local days analysed, ``[start, end)`` between two local midnights.

    Not a series :class:`~app.services.series.window.Window`: a period also knows its
    calendar days and the points of its 10-minute grid.

    Attributes:
        start: first instant, aware (UTC).
        end: first instant after the period, aware (UTC).
        first_day: the local calendar day ``start`` begins.
        days: the number of local calendar days in the period.
    """

    start: datetime
    end: datetime
    first_day: date
    days: int

    @property
    def start_s(self) -> int:
        """Return ``start`` in epoch seconds."""
        return int(self.start.timestamp())

    @property
    def end_s(self) -> int:
        """Return ``end`` in epoch seconds."""
        return int(self.end.timestamp())

    @property
    def points(self) -> int:
        """Return the number of grid points in the period."""
        return (self.end_s - self.start_s) // STEP_S


def _between(first: date, after_last: date, tz: ZoneInfo) -> Period:
    return Period(
        start=day_start(first, tz),
        end=day_start(after_last, tz),
        first_day=first,
        days=(after_last - first).days,
    )


def month_period(month: YearMonth, tz: ZoneInfo) -> Period:
    """Return the calendar month in ``tz``, from its first local midnight to the next."""
    return _between(month.first_day(), month.first_day_after(), tz)


def recent_period(now: datetime, tz: ZoneInfo, days: int = RECENT_DAYS) -> Period:
    """Return the ``days`` local calendar days before today (today excluded)."""
    today = now.astimezone(tz).date()
    return _between(today - timedelta(days=days), today, tz)
