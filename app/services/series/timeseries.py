"""Time series of visible nodes and installations: Managair's resources and the new series.

Managair §5.13-5.14 with its defects fixed: ``query_timestamp_s`` is the request time
(the caller passes ``now``), every visible installation appears once, and the bounds
arrive already parsed as integers (the routes answer 400 otherwise). Windows are
inclusive on both ends, as in the reference; an installation's series never leaves
its own interval.

List counts come from the daily aggregates plus raw samples at the edges and above
the watermark (:data:`app.services.series.sql.COUNTS_SQL`): cheap for long histories;
a sample written below the watermark is counted after the next refresh. Detail counts
are the number of samples returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import Installation, Node
from app.services import access
from app.services.access import Actor
from app.services.series import buckets as tb
from app.services.series import sql
from app.services.series.buckets import Window
from app.services.series.downsampled import (
    Series,
    SeriesQuery,
    SeriesSource,
    read_series,
)
from app.services.series.epoch import (
    EPOCH,
    OPEN_END_S,
    end_to_epoch,
    from_epoch,
    to_epoch,
)
from app.services.series.samples import SampleObject, sample_objects

OPEN_END = from_epoch(OPEN_END_S)
ALL_TIME = Window(EPOCH, datetime(9999, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Bounds:
    """The ``filter[from]``/``filter[to]`` of a request (inclusive), if given."""

    from_s: int | None = None
    to_s: int | None = None


@dataclass(frozen=True)
class NodeTimeseries:
    """A ``Node-Timeseries`` resource; ``samples`` is None in list items."""

    node_id: uuid.UUID
    node_alias: str
    from_timestamp_s: int
    to_timestamp_s: int
    sample_count: int
    samples: list[SampleObject] | None = None


@dataclass(frozen=True)
class InstallationTimeseries:
    """An ``Installation-Timeseries`` resource; ``samples`` is None in list items."""

    installation_id: int
    node_id: uuid.UUID
    node_alias: str
    from_timestamp_s: int
    to_timestamp_s: int
    sample_count: int
    samples: list[SampleObject] | None = None


@dataclass(frozen=True)
class CountItem:
    """One (node, window) whose samples :func:`count_samples` counts."""

    key: str
    source: SeriesSource
    window: Window


def installation_window(installation: Installation) -> Window:
    """The installation's own interval, both ends included."""
    end = installation.to_time or OPEN_END
    return Window.inclusive(installation.from_time, end)


def installation_source(installation: Installation) -> SeriesSource:
    """The node of ``installation`` with its owner."""
    return SeriesSource(installation.node_id, installation.node.owner_id)


# -- the new series ----------------------------------------------------------------


def installation_series(
    session: Session,
    actor: Actor,
    installation_id: int,
    query: SeriesQuery,
    reads: Session | None = None,
) -> Series:
    """The series of a visible installation, clipped to its interval.

    ``reads`` (a replica's session) runs the series query; ``session`` the check.

    Raises:
        NotFoundError: no such installation, or invisible to the actor.
        ValidationError: the resolution gives too many points.
    """
    installation = access.get_visible(session, actor, Installation, installation_id)
    window = query.window.clip(installation_window(installation))
    return read_series(
        reads or session,
        installation_source(installation),
        replace(query, window=window),
    )


def node_series(
    session: Session,
    actor: Actor,
    node_id: uuid.UUID,
    query: SeriesQuery,
    reads: Session | None = None,
) -> Series:
    """The series of a node of one of the actor's organizations.

    ``reads`` (a replica's session) runs the series query; ``session`` the check.

    Raises:
        UnauthenticatedError: anonymous caller (node series are never public).
        NotFoundError: no such node, or not the actor's.
        ValidationError: the resolution gives too many points.
    """
    access.require_authenticated(actor)
    node = access.get_visible(session, actor, Node, node_id)
    return read_series(reads or session, SeriesSource(node.id, node.owner_id), query)


# -- Managair's time-series resources ------------------------------------------------


def list_node_timeseries(
    session: Session, actor: Actor, now: datetime
) -> list[NodeTimeseries]:
    """Every node of the actor's organizations with its total sample count.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_authenticated(actor)
    nodes = session.scalars(
        access.scoped(select(Node).order_by(Node.eui64), Node, actor)
    ).all()
    counts = count_samples(
        session,
        [CountItem(str(n.id), SeriesSource(n.id, n.owner_id), ALL_TIME) for n in nodes],
    )
    return [
        NodeTimeseries(n.id, n.alias, 0, to_epoch(now), counts.get(str(n.id), 0))
        for n in nodes
    ]


def get_node_timeseries(
    session: Session, actor: Actor, node_id: uuid.UUID, bounds: Bounds, now: datetime
) -> NodeTimeseries:
    """A node's samples within ``[from (0), to (now)]``; from/to echo the bounds.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node, or not the actor's.
    """
    access.require_authenticated(actor)
    node = access.get_visible(session, actor, Node, node_id)
    from_s = 0 if bounds.from_s is None else bounds.from_s
    to_s = to_epoch(now) if bounds.to_s is None else bounds.to_s
    window = Window.inclusive(from_epoch(from_s), from_epoch(to_s))
    rows = samples(session, SeriesSource(node.id, node.owner_id), window)
    return NodeTimeseries(node.id, node.alias, from_s, to_s, len(rows), rows)


def list_installation_timeseries(
    session: Session, actor: Actor
) -> list[InstallationTimeseries]:
    """Every visible installation once, newest first, with its sample count."""
    stmt = (
        select(Installation)
        .options(joinedload(Installation.node))
        .order_by(Installation.from_time.desc(), Installation.id.desc())
    )
    installations = session.scalars(access.scoped(stmt, Installation, actor)).all()
    counts = count_samples(
        session,
        [
            CountItem(str(i.id), installation_source(i), installation_window(i))
            for i in installations
        ],
    )
    return [
        InstallationTimeseries(
            i.id,
            i.node_id,
            i.node.alias,
            to_epoch(i.from_time),
            end_to_epoch(i.to_time),
            counts.get(str(i.id), 0),
        )
        for i in installations
    ]


def get_installation_timeseries(
    session: Session, actor: Actor, installation_id: int, bounds: Bounds, now: datetime
) -> InstallationTimeseries:
    """An installation's samples in ``[max(from, filter), min(to, filter or now)]``.

    Raises:
        NotFoundError: no such installation, or invisible to the actor.
    """
    installation = access.get_visible(session, actor, Installation, installation_id)
    own_to = end_to_epoch(installation.to_time)
    from_s = max(to_epoch(installation.from_time), bounds.from_s or 0)
    to_s = min(own_to, to_epoch(now) if bounds.to_s is None else bounds.to_s)
    window = Window.inclusive(from_epoch(from_s), from_epoch(to_s))
    window = window.clip(installation_window(installation))
    rows = samples(session, installation_source(installation), window)
    return InstallationTimeseries(
        installation.id,
        installation.node_id,
        installation.node.alias,
        from_s,
        to_s,
        len(rows),
        rows,
    )


# -- queries -------------------------------------------------------------------------


def samples(
    session: Session, source: SeriesSource, window: Window
) -> list[SampleObject]:
    """The samples of ``source`` in ``window``, oldest first, as Managair renders them."""
    if window.is_empty:
        return []
    result = sql.fetch_all(
        session,
        sql.SAMPLES_SQL,
        {
            "node_id": source.node_id,
            "owner_id": source.owner_id,
            "start": window.start,
            "stop": window.stop,
        },
    )
    return sample_objects(result)


def count_samples(session: Session, items: Sequence[CountItem]) -> dict[str, int]:
    """How many samples each item's node has in its window, keyed by ``item.key``."""
    if not items:
        return {}
    watermark = session.execute(sql.WATERMARK_1D_SQL).scalar()
    columns: dict[str, list[Any]] = {
        name: [] for name in ("keys", "node_ids", "owner_ids")
    }
    ranges: dict[str, list[datetime]] = {
        name: [] for name in ("m0", "m1", "r0a", "r0b", "r1a", "r1b")
    }
    for item in items:
        columns["keys"].append(item.key)
        columns["node_ids"].append(item.source.node_id)
        columns["owner_ids"].append(item.source.owner_id)
        for name, value in zip(
            ranges, _count_ranges(item.window, watermark), strict=True
        ):
            ranges[name].append(value)
    rows = session.execute(sql.COUNTS_SQL, {**columns, **ranges})
    return {key: int(count) for key, count in rows}


def _count_ranges(window: Window, watermark: datetime | None) -> list[datetime]:
    """m0, m1 (whole UTC days below the watermark), r0a, r0b, r1a, r1b (raw ranges)."""
    day = tb.LEVEL_1D.seconds
    start, stop = window.start, max(window.start, window.stop)
    full_start, full_stop = tb.ceil(start, day), tb.floor(stop, day)
    full_stop = full_start if watermark is None else min(full_stop, watermark)
    if full_start < full_stop:
        return [full_start, full_stop, start, full_start, full_stop, stop]
    return [start, start, start, stop, stop, stop]
