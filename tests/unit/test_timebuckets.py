"""Bucket arithmetic: UTC grids, local day starts around DST, day-grid levels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.services.series import buckets as tb
from app.services.series.stored import whole_months
from app.services.series.window import Window

T = datetime(2024, 3, 31, 1, 37, 12, 500, tzinfo=UTC)


def test_floor_and_ceil_on_the_epoch_aligned_grid() -> None:
    assert tb.floor(T, 600) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert tb.ceil(T, 3600) == datetime(2024, 3, 31, 2, tzinfo=UTC)
    assert tb.ceil(tb.floor(T, 86400), 86400) == tb.floor(T, 86400)


def test_grid_count_includes_both_ends() -> None:
    first, last = (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 23, 59, tzinfo=UTC),
    )

    assert tb.grid_count(first, last, 3600) == 24
    assert list(tb.grid(first, last, 86400)) == [first]
    assert tb.grid_count(last, first, 600) == 0


def test_window_inclusive_end_admits_the_end_instant() -> None:
    window = Window.inclusive(T, T)

    assert not window.is_empty
    assert window.stop - window.start == timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("zone", "day", "start_utc"),
    [
        ("Europe/Berlin", date(2024, 3, 31), datetime(2024, 3, 30, 23, tzinfo=UTC)),
        ("Europe/Berlin", date(2024, 10, 28), datetime(2024, 10, 27, 23, tzinfo=UTC)),
        # Midnight repeated (fall back 01:00 -> 00:00): the first occurrence.
        ("America/Havana", date(2023, 11, 5), datetime(2023, 11, 5, 4, tzinfo=UTC)),
        # Midnight skipped (00:00 -> 01:00): the first wall time that exists.
        ("America/Santiago", date(2023, 9, 3), datetime(2023, 9, 3, 4, tzinfo=UTC)),
    ],
)
def test_day_start_is_the_first_instant_of_the_local_date(
    zone: str, day: date, start_utc: datetime
) -> None:
    start = tb.day_start(day, ZoneInfo(zone))

    assert start == start_utc
    assert tb.local_date(start, ZoneInfo(zone)) == day
    assert tb.local_date(start - timedelta(microseconds=1), ZoneInfo(zone)) < day


def test_berlin_dst_days_last_23_and_25_hours() -> None:
    zone = ZoneInfo("Europe/Berlin")

    spring = tb.day_start(date(2024, 4, 1), zone) - tb.day_start(
        date(2024, 3, 31), zone
    )
    autumn = tb.day_start(date(2024, 10, 28), zone) - tb.day_start(
        date(2024, 10, 27), zone
    )

    assert spring == timedelta(hours=23)
    assert autumn == timedelta(hours=25)


@pytest.mark.parametrize(
    ("zone", "level"),
    [
        ("UTC", "1d"),
        ("Europe/Berlin", "1h"),
        ("America/New_York", "1h"),
        ("Asia/Kolkata", "10m"),
        ("Australia/Lord_Howe", "10m"),
        ("Asia/Kathmandu", None),
    ],
)
def test_day_grid_level_is_the_coarsest_aligned_level(
    zone: str, level: str | None
) -> None:
    found = tb.day_grid_level(date(2024, 1, 1), date(2024, 12, 31), ZoneInfo(zone))

    assert (found.name if found else None) == level


def test_day_grid_level_of_london_is_utc_days_in_winter_only() -> None:
    london = ZoneInfo("Europe/London")

    winter = tb.day_grid_level(date(2024, 1, 1), date(2024, 2, 1), london)
    summer = tb.day_grid_level(date(2024, 6, 1), date(2024, 7, 1), london)

    assert winter is tb.LEVEL_1D
    assert summer is tb.LEVEL_1H


def test_first_and_last_day_starts_around_an_instant() -> None:
    zone = ZoneInfo("Europe/Berlin")
    midnight = tb.day_start(date(2024, 3, 31), zone)

    assert tb.first_day_start_at_or_after(midnight, zone) == midnight
    assert tb.last_day_start_at_or_before(midnight, zone) == midnight
    later = midnight + timedelta(seconds=1)
    assert tb.first_day_start_at_or_after(later, zone) == tb.day_start(
        date(2024, 4, 1), zone
    )
    assert tb.last_day_start_at_or_before(later, zone) == midnight


@pytest.mark.parametrize(
    ("start", "stop", "watermark", "months"),
    [
        # Whole months inside, across a new year, in UTC whatever the input zone.
        (
            datetime(2023, 11, 15, tzinfo=UTC),
            datetime(2024, 3, 2, tzinfo=UTC),
            None,
            None,
        ),
        (
            datetime(2023, 11, 15, tzinfo=UTC),
            datetime(2024, 3, 2, tzinfo=UTC),
            datetime(2024, 6, 1, tzinfo=UTC),
            (datetime(2023, 12, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)),
        ),
        (
            datetime(2023, 12, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")),
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 2, 1, tzinfo=UTC),
            (datetime(2023, 12, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)),
        ),
        # No whole month (or none below the watermark).
        (
            datetime(2024, 1, 2, tzinfo=UTC),
            datetime(2024, 2, 28, tzinfo=UTC),
            datetime(2025, 1, 1, tzinfo=UTC),
            None,
        ),
        (
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 1, 20, tzinfo=UTC),
            None,
        ),
    ],
)
def test_whole_months_are_the_utc_months_of_the_days_below_the_watermark(
    start: datetime,
    stop: datetime,
    watermark: datetime | None,
    months: tuple[datetime, datetime] | None,
) -> None:
    found = whole_months(Window(start, stop), watermark)

    if months is None:
        assert found.is_empty
    else:
        assert (found.start, found.stop) == months
