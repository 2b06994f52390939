"""The jobs process's daily rollup: each room's air-quality figures per completed day.

For every room and local day of the last ``days_back`` days, two views count: a
member's (public installations and those of nodes the room's organization owns)
and the public's. A day is (re)written when it has no row for the installations
behind it, or when the samples behind it changed since: the fingerprint is the
count and CO2 sum of its nodes' ``samples_1d`` rows over the UTC days its window
touches, so a late sample into a past day is recomputed on the next run without
another trigger on ``samples``. Only days whose window lies below the 1-day
series watermark are written (their fingerprint is final); pages compute the
rest from raw samples (:mod:`app.services.dashboard.month`).

Set-based: one sample query per day for every room that needs it, one insert.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.models import Installation, Node, Room, RoomAirDay, Site
from app.services.access import Actor, require_staff
from app.services.airquality.sources import MARGIN
from app.services.dashboard.days import (
    bounds,
    compute_days,
    sources,
    spans_of,
    windows,
)
from app.services.series.buckets import day_start

_FINGERPRINTS = text(
    """
    SELECT node_id, bucket, co2_count, coalesce(co2_sum, 0)
    FROM samples_1d
    WHERE node_id = ANY(CAST(:node_ids AS uuid[]))
      AND bucket >= :lo AND bucket < :hi
    ORDER BY node_id, bucket
    """
)


@dataclass(frozen=True)
class RollupResult:
    """What one run did (the job's ``job_runs`` result)."""

    days_checked: int
    days_written: int
    rows_written: int
    rows_deleted: int
    days_left: int


def _utc_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def refresh(
    session: Session,
    actor: Actor,
    *,
    timezone: str,
    now: datetime,
    days_back: int,
    max_days: int,
) -> RollupResult:
    """Write the missing and outdated days, newest first, at most ``max_days``.

    Args:
        session: the job's session (the caller commits).
        actor: the system actor.
        timezone: IANA name of the analysis zone.
        now: the run time.
        days_back: how many days before today are kept.
        max_days: days computed per run (bounded work; the next run goes on).
    """
    require_staff(actor)
    zone = ZoneInfo(timezone)
    complete = _complete_days(session, zone, now, days_back)
    if not complete:
        return RollupResult(0, 0, 0, 0, 0)
    first, last = min(complete), max(complete)
    wanted = _wanted(session, zone, complete)
    existing = session.execute(
        select(
            RoomAirDay.room_id,
            RoomAirDay.day,
            RoomAirDay.sources,
            RoomAirDay.sample_count,
            RoomAirDay.sample_co2_sum,
        ).where(
            RoomAirDay.timezone == timezone,
            RoomAirDay.day >= first,
            RoomAirDay.day <= last,
        )
    ).all()
    have = {(r, d, s): (n, total) for r, d, s, n, total in existing}
    stale = [key for key in have if key not in wanted]
    if stale:
        session.execute(
            delete(RoomAirDay).where(
                RoomAirDay.timezone == timezone,
                tuple_(RoomAirDay.room_id, RoomAirDay.day, RoomAirDay.sources).in_(
                    stale
                ),
            )
        )
    todo: dict[date, dict[tuple[int, str], tuple[int, float, list[Installation]]]]
    todo = defaultdict(dict)
    for (room_id, day, named), (count, total, view) in wanted.items():
        if have.get((room_id, day, named)) != (count, total):
            todo[day][(room_id, named)] = (count, total, view)
    days = sorted(todo, reverse=True)[:max_days]
    written = 0
    for day in days:
        written += _write_day(session, timezone, day, todo[day])
    return RollupResult(
        days_checked=len(complete),
        days_written=len(days),
        rows_written=written,
        rows_deleted=len(stale),
        days_left=len(todo) - len(days),
    )


def _complete_days(
    session: Session, zone: ZoneInfo, now: datetime, days_back: int
) -> list[date]:
    """The past days whose window lies below the 1-day series watermark."""
    watermark = session.scalar(text("SELECT series_watermark('1d')"))
    if watermark is None:
        return []
    limit = min(watermark, now)
    today = now.astimezone(zone).date()
    return [
        day
        for day in (today - timedelta(days=i) for i in range(1, days_back + 1))
        if _utc_day(day_start(day + timedelta(days=1), zone) + MARGIN)
        + timedelta(days=1)
        <= limit
    ]


Wanted = dict[tuple[int, date, str], tuple[int, float, list[Installation]]]


def _wanted(session: Session, zone: ZoneInfo, complete: list[date]) -> Wanted:
    """Every (room, day, sources) to keep, with its samples' fingerprint.

    Two views per room: a member's (public installations and those of nodes its
    organization owns) and anyone's (public ones).
    """
    first, last = min(complete), max(complete)
    lo = day_start(first, zone) - MARGIN
    hi = day_start(last + timedelta(days=1), zone) + MARGIN
    rows = session.execute(
        select(Installation, Node.owner_id, Site.operator_id)
        .join(Node, Node.id == Installation.node_id)
        .join(Room, Room.id == Installation.room_id)
        .join(Site, Site.id == Room.site_id)
        .where(
            Installation.from_time <= hi,
            or_(Installation.to_time.is_(None), Installation.to_time >= lo),
        )
    ).all()
    views: dict[int, tuple[list[Installation], list[Installation]]] = defaultdict(
        lambda: ([], [])
    )
    for inst, owner_id, operator_id in rows:
        members, public = views[inst.room_id]
        if inst.is_public or owner_id == operator_id:
            members.append(inst)
        if inst.is_public:
            public.append(inst)
    spans = windows(complete, zone)
    prints = _fingerprints(session, [i.node_id for i, _, _ in rows], lo, hi)
    wanted: dict[tuple[int, date, str], tuple[int, float, list[Installation]]] = {}
    for room_id, (members, public) in views.items():
        member_bounds, public_bounds = bounds(members), bounds(public)
        for day, window in zip(complete, spans, strict=True):
            for view, limits in ((members, member_bounds), (public, public_bounds)):
                named = sources(limits, window)
                if named:
                    wanted[(room_id, day, named)] = (
                        *_fingerprint(prints, view, day, zone),
                        view,
                    )
    return wanted


def _write_day(
    session: Session,
    timezone: str,
    day: date,
    keys: dict[tuple[int, str], tuple[int, float, list[Installation]]],
) -> int:
    """Compute one day of every (room, installations) in ``keys``; upsert the rows."""
    figures = compute_days(
        session,
        {key: spans_of(view) for key, (_, _, view) in keys.items()},
        day,
        day + timedelta(days=1),
        timezone,
    )
    values = []
    for (room_id, named), (count, total, _) in keys.items():
        (found,) = figures[(room_id, named)]
        values.append(
            {
                "room_id": room_id,
                "timezone": timezone,
                "day": day,
                "sources": named,
                "points": found.points,
                "present": found.present,
                "co2_max": None if found.present == 0 else found.co2_max,
                "co2_sum": found.co2_sum,
                "excess_points": found.excess_points,
                "excess_sum": found.excess_sum,
                "hour_of_day": list(found.hour_of_day),
                "hour_mean": list(found.hour_mean),
                "sample_count": count,
                "sample_co2_sum": total,
            }
        )
    stmt = insert(RoomAirDay).values(values)
    session.execute(
        stmt.on_conflict_do_update(
            constraint="pk_room_air_days",
            set_={
                name: stmt.excluded[name]
                for name in (
                    "points",
                    "present",
                    "co2_max",
                    "co2_sum",
                    "excess_points",
                    "excess_sum",
                    "hour_of_day",
                    "hour_mean",
                    "sample_count",
                    "sample_co2_sum",
                )
            }
            | {"computed_at": text("now()")},
        )
    )
    return len(values)


def _fingerprints(
    session: Session, node_ids: list[uuid.UUID], lo: datetime, hi: datetime
) -> dict[uuid.UUID, list[tuple[datetime, int, float]]]:
    """The stored daily count and CO2 sum of each node over ``[lo, hi]``."""
    found: dict[uuid.UUID, list[tuple[datetime, int, float]]] = defaultdict(list)
    if not node_ids:
        return found
    rows = session.execute(
        _FINGERPRINTS,
        {
            "node_ids": sorted(set(node_ids)),
            "lo": _utc_day(lo),
            "hi": hi,
        },
    )
    for node_id, bucket, count, total in rows:
        found[node_id].append((bucket, int(count), float(total)))
    return found


def _fingerprint(
    prints: dict[uuid.UUID, list[tuple[datetime, int, float]]],
    view: list[Installation],
    day: date,
    zone: ZoneInfo,
) -> tuple[int, float]:
    """Count and CO2 sum of the UTC days the day's window touches, its nodes'."""
    lo = _utc_day(day_start(day, zone) - MARGIN)
    hi = day_start(day + timedelta(days=1), zone) + MARGIN
    count, total = 0, 0.0
    for node_id in sorted({i.node_id for i in view}):
        for bucket, n, co2 in prints.get(node_id, ()):
            if lo <= bucket <= hi:
                count += n
                total += co2
    return count, total
