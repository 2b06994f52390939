"""A month's air quality of many rooms: stored days, and raw samples for the rest.

Completed days come from ``room_air_days`` when the installations the actor sees
give the stored row's ``sources``; today, the days the jobs process has not
written yet and days seen through other installations are computed from raw
samples in one query for all rooms. The result equals
:func:`app.services.airquality.room_air_quality` (``tests/api/dashboard`` checks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Installation, RoomAirDay
from app.services.access import Actor, scoped
from app.services.airquality.period import YearMonth, month_period
from app.services.airquality.service import RoomAirQuality
from app.services.airquality.sources import MARGIN
from app.services.dashboard.days import (
    DayFigures,
    compute_days,
    empty_day,
    month_days,
    month_quality,
    sources,
    spans_of,
)


def stored_figures(row: RoomAirDay) -> DayFigures:
    """A stored day as figures (a NULL maximum is a day without values)."""
    return DayFigures(
        day=row.day,
        points=row.points,
        present=row.present,
        co2_max=float("nan") if row.co2_max is None else row.co2_max,
        co2_sum=row.co2_sum,
        excess_points=row.excess_points,
        excess_sum=row.excess_sum,
        hour_of_day=tuple(row.hour_of_day),
        hour_mean=tuple(row.hour_mean),
    )


def month_air(
    session: Session,
    actor: Actor,
    room_ids: Collection[int],
    month: YearMonth,
    *,
    timezone: str,
    now: datetime,
) -> dict[int, RoomAirQuality]:
    """The month's medal, profile and daily table of each room, as ``actor`` sees it.

    Args:
        session: the request's session (read only).
        actor: the caller; only installations they may see count.
        room_ids: the rooms (already checked visible).
        month: the calendar month in ``timezone``.
        timezone: IANA name of the analysis zone.
        now: the request time (days from today on are never taken stored).
    """
    zone = ZoneInfo(timezone)
    period = month_period(month, zone)
    stmt = select(Installation).where(
        Installation.room_id.in_(list(room_ids)),
        Installation.from_time <= period.end + MARGIN,
        or_(
            Installation.to_time.is_(None),
            Installation.to_time >= period.start - MARGIN,
        ),
    )
    installed: dict[int, list[Installation]] = defaultdict(list)
    for inst in session.scalars(scoped(stmt, Installation, actor)):
        installed[inst.room_id].append(inst)
    dates = month_days(month)
    today = now.astimezone(zone).date()
    stored = {
        (row.room_id, row.day, row.sources): row
        for row in session.scalars(
            select(RoomAirDay).where(
                RoomAirDay.room_id.in_(list(installed)),
                RoomAirDay.timezone == timezone,
                RoomAirDay.day >= dates[0],
                RoomAirDay.day <= dates[-1],
                RoomAirDay.day < today,
            )
        )
    }
    figures: dict[int, dict[date, DayFigures]] = {r: {} for r in room_ids}
    missing: dict[int, list[date]] = defaultdict(list)
    for room_id in room_ids:
        for day in dates:
            named = sources(installed.get(room_id, ()), day, zone)
            row = stored.get((room_id, day, named))
            if not named:
                figures[room_id][day] = empty_day(day, zone)
            elif row is not None:
                figures[room_id][day] = stored_figures(row)
            else:
                missing[room_id].append(day)
    if missing:
        first = min(days[0] for days in missing.values())
        last = max(days[-1] for days in missing.values())
        raw = compute_days(
            session,
            {r: spans_of(installed[r]) for r in missing},
            first,
            last + timedelta(days=1),
            timezone,
        )
        for room_id, days in missing.items():
            wanted = set(days)
            for found in raw[room_id]:
                if found.day in wanted:
                    figures[room_id][found.day] = found
    return {
        room_id: month_quality(
            room_id, month, [figures[room_id][d] for d in dates], zone
        )
        for room_id in room_ids
    }
