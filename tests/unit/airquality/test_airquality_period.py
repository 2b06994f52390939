"""Analysis windows: calendar months and the past 30 days, in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.services.airquality.period import YearMonth, month_period, recent_period
from tests.support.airquality import BERLIN


def test_month_window_december_ends_at_new_year() -> None:
    period = month_period(YearMonth(2023, 12), BERLIN)

    assert period.start == datetime(2023, 11, 30, 23, tzinfo=UTC)
    assert period.end == datetime(2023, 12, 31, 23, tzinfo=UTC)
    assert period.days == 31


def test_recent_window_is_30_local_days_before_today() -> None:
    now = datetime(2024, 11, 10, 23, 30, tzinfo=UTC)  # already Nov 11 in Berlin

    period = recent_period(now, BERLIN)

    assert period.first_day == date(2024, 10, 12)
    assert period.end == datetime(2024, 11, 10, 23, tzinfo=UTC)
    assert period.days == 30
    assert period.end_s - period.start_s == 30 * 86400 + 3600  # crosses DST end


@pytest.mark.parametrize(
    ("year", "month"), [(2020, 13), (2020, 0), (1969, 12), (2038, 1)]
)
def test_year_month_refuses_impossible_months(year: int, month: int) -> None:
    with pytest.raises(ValueError, match="no such month"):
        YearMonth(year, month)
