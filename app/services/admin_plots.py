"""The series behind the back office's plots: 7 days of hourly means.

One query per plot: raw ``samples`` in ``time_bucket`` hours, read through the
``(node_id, time DESC)`` index. An installation's series is clipped to its own
period, so a node's earlier or later life in other rooms does not show.

TODO(lead): point :func:`node_series` and :func:`installation_series` at the
downsampled series service (``app/services/series.py``) once it is merged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Installation, Node
from app.services.access import Actor, get_visible, require_authenticated

DAYS = 7
BUCKET_S = 3600

_HOURLY = text(
    """
SELECT time_bucket(make_interval(secs => :bucket_s), time) AS bucket,
       avg(co2_ppm)::float8 AS co2_ppm,
       avg(temperature_celsius)::float8 AS temperature_celsius,
       avg(rel_humidity_percent)::float8 AS rel_humidity_percent
FROM samples
WHERE node_id = :node_id AND time >= :start AND time <= :end
GROUP BY bucket
ORDER BY bucket
"""
)


@dataclass(frozen=True)
class PlotSeries:
    """Hourly means over a window; missing hours are simply absent.

    Attributes:
        start: the window's start (inclusive).
        end: the window's end (inclusive).
        times_s: each bucket's start in epoch seconds.
        co2_ppm: the mean CO2 per bucket.
        temperature_celsius: the mean temperature per bucket (None: not measured).
        rel_humidity_percent: the mean humidity per bucket (None: not measured).
    """

    start: datetime
    end: datetime
    times_s: tuple[int, ...]
    co2_ppm: tuple[float | None, ...]
    temperature_celsius: tuple[float | None, ...]
    rel_humidity_percent: tuple[float | None, ...]


def node_series(
    session: Session, actor: Actor, node_id: uuid.UUID, *, now: datetime
) -> PlotSeries:
    """Return the node's hourly means of the last 7 days before ``now``.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node, or invisible to the actor.
    """
    require_authenticated(actor)
    node = get_visible(session, actor, Node, node_id)
    return _hourly(session, node.id, now - timedelta(days=DAYS), now)


def installation_series(
    session: Session, actor: Actor, installation_id: int, *, now: datetime
) -> PlotSeries:
    """Return the installation's hourly means of the last 7 days of its period.

    The window is the 7 days before ``now``, or before the installation's end
    when it ended earlier, and never starts before the installation does.

    Raises:
        NotFoundError: no such installation, or invisible to the actor.
    """
    inst = get_visible(session, actor, Installation, installation_id)
    end = min(now, inst.to_time) if inst.to_time is not None else now
    start = max(end - timedelta(days=DAYS), inst.from_time)
    return _hourly(session, inst.node_id, start, max(start, end))


def _hourly(
    session: Session, node_id: uuid.UUID, start: datetime, end: datetime
) -> PlotSeries:
    rows = session.execute(
        _HOURLY,
        {"bucket_s": BUCKET_S, "node_id": node_id, "start": start, "end": end},
    ).all()
    return PlotSeries(
        start=start,
        end=end,
        times_s=tuple(int(row.bucket.timestamp()) for row in rows),
        co2_ppm=tuple(row.co2_ppm for row in rows),
        temperature_celsius=tuple(row.temperature_celsius for row in rows),
        rel_humidity_percent=tuple(row.rel_humidity_percent for row in rows),
    )
