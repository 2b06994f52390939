"""The clean-air medals of many rooms at once, for a page that lists them.

:func:`~app.services.airquality.service.room_air_quality` costs a few queries per
room; an overview of 50 rooms must not cost 150. Here the installations of every
room come in one query and their samples in one more (``grid.load_grouped``);
numpy then decides each room's medal by the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Installation
from app.services.access import Actor, scoped
from app.services.airquality.grid import Buckets, load_grouped, room_values
from app.services.airquality.metrics import (
    clean_air_medal,
    group_stats,
    local_clock,
    runs,
)
from app.services.airquality.period import YearMonth, month_period
from app.services.airquality.sources import MARGIN, Span


def month_medals(
    session: Session,
    actor: Actor,
    room_ids: Collection[int],
    month: YearMonth,
    timezone: str,
) -> dict[int, bool]:
    """Whether each room earns the clean-air medal in ``month``.

    Only installations the actor may see count, as in the room's own analysis.

    Args:
        session: the database session (read-only use).
        actor: the caller.
        room_ids: the rooms (already checked visible).
        month: the calendar month, in ``timezone``.
        timezone: IANA name of the analysis time zone.

    Returns:
        The medal of every room in ``room_ids`` (False without data).
    """
    period = month_period(month, ZoneInfo(timezone))
    lo, hi = period.start - MARGIN, period.end + MARGIN
    stmt = select(Installation).where(
        Installation.room_id.in_(list(room_ids)),
        Installation.from_time <= hi,
        or_(Installation.to_time.is_(None), Installation.to_time >= lo),
    )
    installations = session.scalars(scoped(stmt, Installation, actor)).all()
    series: dict[tuple[int, object], int] = {}
    room_of: dict[int, int] = {}
    spans, groups = [], []
    for inst in installations:
        key = (inst.room_id, inst.node_id)
        group = series.setdefault(key, len(series))
        room_of[group] = inst.room_id
        groups.append(group)
        end = hi if inst.to_time is None else min(inst.to_time, hi)
        spans.append(Span(inst.id, inst.node_id, max(inst.from_time, lo), end))
    by_room: dict[int, list[Buckets]] = defaultdict(list)
    for group, buckets in load_grouped(session, spans, groups, period).items():
        by_room[room_of[group]].append(buckets)
    clock = local_clock(period.start_s, period.points, timezone)
    day_runs = runs(clock.day)
    medals = dict.fromkeys(room_ids, False)
    for room_id, nodes in by_room.items():
        values = room_values(nodes, period.start_s, period.points)
        medals[room_id] = clean_air_medal(group_stats(values, day_runs))
    return medals
