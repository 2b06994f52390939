"""A month's air quality of many rooms: stored days, and raw samples for the rest.

Completed days come from ``room_air_days`` when the installations the actor sees
give the stored row's ``sources``; today, the days the jobs process has not
written yet and days seen through other installations are computed from raw
samples in one query for all rooms. The result equals
:func:`app.services.airquality.room_air_quality` (``tests/api/dashboard`` checks).

Installations and stored days are read as plain rows (no ORM objects: the
overview reads 50 rooms' months on every request), and the medals of many rooms
are decided in one set of numpy calls (:func:`~app.services.dashboard.days.month_medals`).

A medal alone needs no raw samples of today (or later) before 22:40: the
medal weighs only valid days (at most an hour missing), a grid point needs a
sample at or after its time, so a day with more than an hour still ahead
cannot be valid when no sample is stamped later than now, and counts the same
as an empty day. One index probe checks there is none (a node with a clock
ahead sends some); else those days are computed raw as before.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, Select, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from app.models import Installation, RoomAirDay, Sample
from app.services.access import Actor, scoped
from app.services.airquality.metrics import days_ended
from app.services.airquality.period import Period, YearMonth, month_period
from app.services.airquality.rules import MAX_DAY_GAP_S, STEP_S
from app.services.airquality.service import RoomAirQuality
from app.services.airquality.sources import MARGIN
from app.services.dashboard.days import (
    DayFigures,
    bounds,
    compute_days,
    empty_day,
    month_days,
    month_medals,
    month_quality,
    sources,
    spans_of,
    windows,
)
from app.services.series.buckets import day_start

#: The columns a month needs: with ``detail`` also the hours of the profile.
_MEDAL_COLUMNS = (
    RoomAirDay.room_id,
    RoomAirDay.day,
    RoomAirDay.sources,
    RoomAirDay.points,
    RoomAirDay.present,
    RoomAirDay.co2_max,
    RoomAirDay.co2_sum,
    RoomAirDay.excess_points,
    RoomAirDay.excess_sum,
)
_DETAIL_COLUMNS = (*_MEDAL_COLUMNS, RoomAirDay.hour_of_day, RoomAirDay.hour_mean)


def _among(
    column: Any, values: Collection[Any], item: TypeEngine[Any]
) -> ColumnElement[bool]:
    """``column = ANY(:array)``: one array parameter where ``IN`` binds one per
    value (50 rooms made statements too long for psycopg's parse cache: its
    placeholder parsing was a fifth of the overview's time)."""
    array = bindparam(None, list(values), type_=ARRAY(item), unique=True)
    condition: ColumnElement[bool] = column == any_(array)
    return condition


@dataclass(frozen=True, slots=True)
class InstallationRow:
    """An installation as a month's figures need it."""

    id: int
    room_id: int
    node_id: uuid.UUID
    from_time: datetime
    to_time: datetime | None


def installations_in(
    actor: Actor, room_ids: Collection[int], period: Period
) -> Select[*tuple[Any, ...]]:
    """The installations of ``room_ids`` the actor sees that feed ``period`` (its
    margins included), as rows of :class:`InstallationRow`'s columns first; a caller
    may add columns (the overview adds the node's alias and liveness)."""
    stmt = select(
        Installation.id,
        Installation.room_id,
        Installation.node_id,
        Installation.from_time,
        Installation.to_time,
    ).where(
        _among(Installation.room_id, room_ids, BigInteger()),
        Installation.from_time <= period.end + MARGIN,
        or_(
            Installation.to_time.is_(None),
            Installation.to_time >= period.start - MARGIN,
        ),
    )
    return scoped(stmt, Installation, actor)


def _figures(row: Sequence[Any]) -> DayFigures:
    """A stored day as figures (a NULL maximum is a day without values)."""
    hours = (tuple(row[9]), tuple(row[10])) if len(row) > 9 else ((), ())
    return DayFigures(
        row[1],
        row[3],
        row[4],
        math.nan if row[5] is None else row[5],
        row[6],
        row[7],
        row[8],
        *hours,
    )


def month_air(
    session: Session,
    actor: Actor,
    room_ids: Collection[int],
    month: YearMonth,
    *,
    timezone: str,
    now: datetime,
    detail: bool = True,
    installations: Sequence[InstallationRow] | None = None,
) -> dict[int, RoomAirQuality]:
    """The month's medal, profile and daily table of each room, as ``actor`` sees it.

    Args:
        session: the request's session (read only).
        actor: the caller; only installations they may see count.
        room_ids: the rooms (already checked visible).
        month: the calendar month in ``timezone``.
        timezone: IANA name of the analysis zone.
        now: the request time (days from today on are never taken stored).
        detail: also the profile and the daily table (else the medal only).
        installations: those :func:`installations_in` gives for the month's
            period and ``actor``, when the caller has read them already (the
            overview reads them with its current nodes in one statement).
    """
    zone = ZoneInfo(timezone)
    period = month_period(month, zone)
    if installations is None:
        stmt = installations_in(actor, room_ids, period)
        rows = session.connection().execute(stmt).all()
        installations = [InstallationRow(*row[:5]) for row in rows]
    installed: dict[int, list[InstallationRow]] = defaultdict(list)
    for inst in installations:
        installed[inst.room_id].append(inst)
    dates = month_days(month)
    today = now.astimezone(zone).date()
    stored: dict[tuple[int, date, str], Sequence[Any]] = {
        (row[0], row[1], row[2]): row
        for row in session.connection()
        .execute(
            select(*(_DETAIL_COLUMNS if detail else _MEDAL_COLUMNS)).where(
                _among(RoomAirDay.room_id, installed, BigInteger()),
                RoomAirDay.timezone == timezone,
                RoomAirDay.day >= dates[0],
                RoomAirDay.day <= dates[-1],
                RoomAirDay.day < today,
            )
        )
        .all()  # fetched at once: iterating a cursor fetches row by row
    }
    spans = windows(dates, zone)
    undecided = (
        set() if detail else _undecided(session, installations, dates, today, zone, now)
    )
    figures: dict[int, dict[date, DayFigures]] = {r: {} for r in room_ids}
    missing: dict[int, list[date]] = defaultdict(list)
    empty = {day: empty_day(day, zone) for day in dates}  # the same in every room
    for room_id in room_ids:
        room_bounds = bounds(installed.get(room_id, ()))
        found = figures[room_id]
        for day, window in zip(dates, spans, strict=True):
            if day in undecided:
                found[day] = empty[day]
                continue
            named = sources(room_bounds, window)
            row = stored.get((room_id, day, named))
            if not named:
                found[day] = empty[day]
            elif row is not None:
                found[day] = _figures(row)
            else:
                missing[room_id].append(day)
    _compute_missing(session, installed, missing, timezone, figures, hours=detail)
    months = {room_id: [figures[room_id][d] for d in dates] for room_id in room_ids}
    ended = days_ended(dates, today)
    if not detail:
        return {
            room_id: RoomAirQuality(room_id, period, medal, None, None)
            for room_id, medal in month_medals(months, ended).items()
        }
    return {
        room_id: month_quality(room_id, month, days, zone, ended=ended)
        for room_id, days in months.items()
    }


def _undecided(
    session: Session,
    installations: Sequence[InstallationRow],
    dates: Sequence[date],
    today: date,
    zone: ZoneInfo,
    now: datetime,
) -> set[date]:
    """The days from today on that cannot be valid whatever their samples so far:
    more than :data:`MAX_DAY_GAP_S` of grid points after ``now`` (a point needs
    a sample at or after its time; one step for the last point, one for the
    point at ``now``), and no sample of these nodes stamped after ``now``
    (checked only when there are such days).
    """
    ahead = {
        day
        for day in dates
        if day >= today
        and (day_start(day + timedelta(days=1), zone) - now).total_seconds()
        > MAX_DAY_GAP_S + 2 * STEP_S
    }
    if not ahead or not installations:
        return ahead
    later = session.scalar(
        select(Sample.time)
        .where(
            _among(Sample.node_id, sorted({i.node_id for i in installations}), UUID()),
            Sample.time > now,
        )
        .limit(1)
    )
    return ahead if later is None else set()


def _compute_missing(
    session: Session,
    installed: Mapping[int, Sequence[InstallationRow]],
    wanted: dict[int, list[date]],
    timezone: str,
    figures: dict[int, dict[date, DayFigures]],
    *,
    hours: bool,
) -> None:
    """Compute the missing days from raw samples into ``figures`` (one query);
    ``hours`` only when the profile is shown."""
    if not wanted:
        return
    first = min(days[0] for days in wanted.values())
    last = max(days[-1] for days in wanted.values())
    raw = compute_days(
        session,
        {r: spans_of(installed[r]) for r in wanted},
        first,
        last + timedelta(days=1),
        timezone,
        hours=hours,
    )
    for room_id, days in wanted.items():
        keep = set(days)
        for found in raw[room_id]:
            if found.day in keep:
                figures[room_id][found.day] = found
