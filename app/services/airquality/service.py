"""The room air-quality indicator: the clean-air medal and the weekday profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.models import Room
from app.services.access import Actor, get_visible
from app.services.airquality.grid import load_buckets, room_values
from app.services.airquality.metrics import (
    Groups,
    clean_air_medal,
    day_dates,
    days_ended,
    group_stats,
    local_clock,
    runs,
    valid_days,
    weekday_profile,
)
from app.services.airquality.period import (
    Period,
    YearMonth,
    month_period,
    recent_period,
)
from app.services.airquality.rules import STEP_S
from app.services.airquality.sources import room_spans


@dataclass(frozen=True)
class AirQualityQuery:
    """What to compute for a room.

    Attributes:
        room_id: the room.
        month: a calendar month, or None for the 30 days before today.
        include_histogram: compute the weekday-by-hour profile.
        include_days: return the daily table.
    """

    room_id: int
    month: YearMonth | None = None
    include_histogram: bool = False
    include_days: bool = False


@dataclass(frozen=True)
class DayMetrics:
    """One local calendar day of the analysis.

    Metrics are None when the day has no data at all.
    """

    date: date
    start: datetime
    end: datetime
    is_valid: bool
    gap_duration_s: int
    max_co2_ppm: float | None
    mean_co2_ppm: float | None
    excess_duration_s: int | None
    excess_score: float | None


@dataclass(frozen=True)
class RoomAirQuality:
    """The air-quality indicator of a room over a period."""

    room_id: int
    period: Period
    clean_air_medal: bool
    histogram: dict[str, list[float]] | None
    days: list[DayMetrics] | None


def room_air_quality(
    session: Session,
    actor: Actor,
    query: AirQualityQuery,
    *,
    timezone: str,
    now: datetime,
) -> RoomAirQuality:
    """Analyse the CO2 series of a room from the installations the actor may see.

    Days and hours are those of ``timezone``; a room without samples in the
    period gets no medal, an empty profile and days without data. Several
    nodes installed at once count by their highest value at each grid point.

    Args:
        session: the database session (read-only use; a replica is fine).
        actor: the caller.
        query: the room, the period and what to include.
        timezone: IANA name of the analysis time zone.
        now: the request time (for the 30-day period).

    Returns:
        The indicator.

    Raises:
        NotFoundError: the room does not exist or is invisible to the actor.
        ConflictError: two visible installations of one node in the room
            overlap inside the period (the database forbids it; a data error).
    """
    room = get_visible(session, actor, Room, query.room_id)
    tz = ZoneInfo(timezone)
    period = month_period(query.month, tz) if query.month else recent_period(now, tz)
    spans = room_spans(session, actor, room.id, period)
    values = room_values(
        load_buckets(session, spans, period), period.start_s, period.points
    )
    clock = local_clock(period.start_s, period.points, timezone)
    days = group_stats(values, runs(clock.day))
    dates = day_dates(days, clock)
    ended = days_ended(dates, now.astimezone(tz).date())
    return RoomAirQuality(
        room_id=room.id,
        period=period,
        clean_air_medal=clean_air_medal(days, ended),
        histogram=weekday_profile(values, clock) if query.include_histogram else None,
        days=day_table(days, dates, period) if query.include_days else None,
    )


def day_table(days: Groups, dates: list[date], period: Period) -> list[DayMetrics]:
    """Turn the daily statistics into rows (one per day, so at most 31)."""
    valid = valid_days(days)
    score = days.excess_score
    rows = []
    for i, day in enumerate(dates):
        has_data = bool(days.present[i] > 0)
        start = period.start + timedelta(seconds=int(STEP_S * days.starts[i]))
        rows.append(
            DayMetrics(
                date=day,
                start=start,
                end=start + timedelta(seconds=int(days.duration_s[i])),
                is_valid=bool(valid[i]),
                gap_duration_s=int(days.gap_s[i]),
                max_co2_ppm=float(days.maximum[i]) if has_data else None,
                mean_co2_ppm=float(days.mean[i]) if has_data else None,
                excess_duration_s=(
                    int(STEP_S * days.excess_points[i]) if has_data else None
                ),
                excess_score=float(score[i]) if has_data else None,
            )
        )
    return rows
