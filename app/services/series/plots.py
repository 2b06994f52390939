"""The series behind the back office's plots: 7 days of hourly means.

Read through the downsampled series service (``app/services/series/downsampled.py``: the
1-hour rollups plus the fresh tail from raw samples), so a plot costs what the
dashboards' series cost. An installation's series is clipped to its own period,
so a node's earlier or later life in other rooms does not show. Hours without
samples are left out; a window without any is an empty series, not an error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.models import Installation, Node
from app.services.access import Actor, get_visible, require_authenticated
from app.services.series.downsampled import SeriesQuery, SeriesSource, read_series
from app.services.series.window import Window

QUANTITIES = ("co2_ppm", "temperature_celsius", "rel_humidity_percent")

DAYS = 7


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
    return _hourly(session, node, now - timedelta(days=DAYS), now)


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
    return _hourly(session, inst.node, start, max(start, end))


def _hourly(session: Session, node: Node, start: datetime, end: datetime) -> PlotSeries:
    query = SeriesQuery(
        window=Window.inclusive(start, end),
        resolution="1h",
        aggregates=("avg",),
        quantities=QUANTITIES,
    )
    found = read_series(session, SeriesSource(node.id, node.owner_id), query)
    # A window without samples comes back without columns at all (a new or dead
    # node): that is an empty plot, which the page shows as "no samples".
    co2, temperature, humidity = (found.columns.get(f"{q}_avg", []) for q in QUANTITIES)
    kept = [i for i, value in enumerate(co2) if value is not None]
    return PlotSeries(
        start=start,
        end=end,
        times_s=tuple(found.timestamps_s[i] for i in kept),
        co2_ppm=tuple(_float(co2[i]) for i in kept),
        temperature_celsius=tuple(_float(temperature[i]) for i in kept),
        rel_humidity_percent=tuple(_float(humidity[i]) for i in kept),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
