"""Daily statistics, the medal rule and the weekday profile (no database)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.services.airquality.metrics import (
    clean_air_medal,
    day_dates,
    group_stats,
    local_clock,
    runs,
    weekday_profile,
)
from app.services.airquality.period import YearMonth, month_period
from tests.support.airquality import BERLIN

DAY = 144  # grid points per 24-hour day


def _days(*levels: list[float]) -> np.ndarray:
    """Concatenate whole days whose points cycle through ``levels``."""
    return np.concatenate(
        [np.resize(np.array(day, dtype=float), DAY) for day in levels]
    )


def _medal(values: np.ndarray) -> bool:
    return clean_air_medal(group_stats(values, np.arange(0, len(values), DAY)))


def test_medal_for_clean_valid_days() -> None:
    assert _medal(_days(*[[500.0]] * 10)) is True


def test_medal_withheld_when_30_percent_of_valid_days_have_excess() -> None:
    # 3 of 10 days have some time at 1600 ppm (score > 0, < 150): "yellow".
    yellow = [1600.0] + [500.0] * 143
    values = _days(*[yellow] * 3, *[[500.0]] * 7)

    assert _medal(values) is False


def test_medal_kept_when_fewer_than_30_percent_have_excess() -> None:
    yellow = [1600.0] + [500.0] * 143
    values = _days(*[yellow] * 2, *[[500.0]] * 8)

    assert _medal(values) is True


def test_medal_ignores_days_exactly_at_the_threshold() -> None:
    # co2 == 1500 is "excess" with a mean excess of 0: score 0, not yellow.
    assert _medal(_days(*[[1500.0]] * 10)) is True


def test_medal_withheld_by_one_day_reaching_2000_ppm() -> None:
    peak = [2000.0] + [500.0] * 143
    values = _days(peak, *[[500.0]] * 9)

    assert _medal(values) is False


def test_medal_withheld_by_one_red_day() -> None:
    assert _medal(_days([1650.0], *[[500.0]] * 9)) is False  # score 150


def test_medal_needs_60_percent_valid_days() -> None:
    missing = [np.nan] * 7 + [500.0] * 137  # 70 minutes missing: invalid
    values = _days(*[missing] * 5, *[[500.0]] * 5)

    assert _medal(values) is False


def test_medal_counts_a_day_missing_exactly_one_hour_as_valid() -> None:
    one_hour = [np.nan] * 6 + [500.0] * 138
    values = _days(*[one_hour] * 5, *[[500.0]] * 5)

    assert _medal(values) is True


def test_medal_holds_no_day_still_to_come_against_the_room() -> None:
    so_far = _days(*[[500.0]] * 7, *[[np.nan]] * 24)  # the 8th of a 31-day month

    assert clean_air_medal(group_stats(so_far, np.arange(0, 31 * DAY, DAY)), 7)
    assert not clean_air_medal(group_stats(so_far, np.arange(0, 31 * DAY, DAY)))


def test_medal_counts_a_day_still_running_once_it_is_valid() -> None:
    red_today = _days(*[[500.0]] * 7, [1650.0])  # today valid already, and red

    assert not clean_air_medal(group_stats(red_today, np.arange(0, 8 * DAY, DAY)), 7)


def test_medal_holds_days_over_without_data_against_the_room() -> None:
    late = _days(*[[np.nan]] * 4, *[[500.0]] * 3, *[[np.nan]] * 24)

    assert not clean_air_medal(group_stats(late, np.arange(0, 31 * DAY, DAY)), 7)


def test_medal_without_days_is_withheld() -> None:
    days = group_stats(np.zeros(0), np.zeros(0, dtype=np.int64))

    assert clean_air_medal(days) is False


def test_day_statistics_of_a_day_with_excess() -> None:
    values = np.array([1500.0, 1800.0, np.nan, 600.0])

    days = group_stats(values, np.array([0]))

    assert days.gap_s.tolist() == [600]
    assert days.maximum.tolist() == [1800.0]
    assert days.mean.tolist() == [1300.0]
    assert days.excess_points.tolist() == [2]
    assert days.excess_score.tolist() == [pytest.approx(150.0 * 2 / 3)]


@pytest.mark.parametrize(("month", "days", "short"), [(3, 31, 30), (10, 31, 26)])
def test_local_clock_days_follow_dst(month: int, days: int, short: int) -> None:
    period = month_period(YearMonth(2024, month), BERLIN)

    clock = local_clock(period.start_s, period.points, "Europe/Berlin")
    stats = group_stats(np.full(period.points, 500.0), runs(clock.day))

    assert len(stats.starts) == days
    lengths = stats.duration_s.tolist()
    assert lengths[short] == (82800 if month == 3 else 90000)
    assert day_dates(stats, clock)[0] == date(2024, month, 1)


def test_local_clock_repeated_hour_counts_twice() -> None:
    period = month_period(YearMonth(2024, 10), BERLIN)

    clock = local_clock(period.start_s, period.points, "Europe/Berlin")

    hours_on_dst_day = np.unique(clock.hour[clock.day == clock.day[26 * DAY]])
    assert len(hours_on_dst_day) == 25


@pytest.mark.parametrize(
    ("zone", "month"),
    [
        ("Australia/Lord_Howe", YearMonth(2024, 4)),  # 30-minute DST shift
        ("America/St_Johns", YearMonth(2024, 11)),  # transitions at :30 UTC
        ("Asia/Kathmandu", YearMonth(2024, 1)),  # +05:45, no DST
    ],
)
def test_local_clock_matches_the_zone_at_every_point(
    zone: str, month: YearMonth
) -> None:
    tz = ZoneInfo(zone)
    start_s = month_period(month, tz).start_s + 3000  # transitions off the hour
    points = 31 * DAY

    clock = local_clock(start_s, points, zone)

    epochs = start_s + 600 * np.arange(points)
    wall = [datetime.fromtimestamp(int(e), tz) for e in epochs]
    assert clock.hour_of_day.tolist() == [w.hour for w in wall]
    assert clock.weekday.tolist() == [w.weekday() for w in wall]
    days = (clock.day + date(1970, 1, 1).toordinal()).tolist()
    assert days == [w.date().toordinal() for w in wall]
    minutes_in = [w.minute * 60 + w.second for w in wall]
    assert clock.hour.tolist() == (epochs - minutes_in).tolist()


def test_weekday_profile_monday_first_in_local_hours() -> None:
    period = month_period(YearMonth(2024, 1), BERLIN)  # 2024-01-01 is a Monday
    clock = local_clock(period.start_s, period.points, "Europe/Berlin")
    values = (clock.weekday * 100 + clock.hour_of_day).astype(float)

    profile = weekday_profile(values, clock)

    assert profile["Mo"] == [float(h) for h in range(24)]
    assert profile["Su"] == [600.0 + h for h in range(24)]


def test_weekday_profile_leaves_weekdays_with_a_missing_hour_empty() -> None:
    period = month_period(YearMonth(2024, 1), BERLIN)
    clock = local_clock(period.start_s, period.points, "Europe/Berlin")
    values = np.where((clock.weekday == 1) & (clock.hour_of_day == 5), np.nan, 500.0)

    profile = weekday_profile(values, clock)

    assert profile["Tu"] == []
    assert profile["We"] == [500.0] * 24
