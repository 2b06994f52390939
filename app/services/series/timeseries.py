"""Time series of visible nodes and installations: Managair's resources and the new series.

Managair §5.13-5.14 with its defects fixed: ``query_timestamp_s`` is the request time
(the caller passes ``now``), every visible installation appears once, and the bounds
arrive already parsed as integers (the routes answer 400 otherwise). Windows are
inclusive on both ends, as in the reference; an installation's series never leaves
its own interval.

List counts are the tallies the database keeps per node and installation
(:mod:`app.services.series.tallies`, exact); detail counts are the number of samples
returned. A detail's samples are read a chunk at a time while the caller writes
them out (:class:`SampleChunks`): without bounds they are a node's whole history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import Installation, Node
from app.services import access
from app.services.access import Actor
from app.services.series.downsampled import (
    Series,
    SeriesQuery,
    SeriesSource,
    read_series,
)
from app.services.series.epoch import end_to_epoch, to_epoch
from app.services.series.samples import SampleChunks, chunks_in
from app.services.series.tallies import installation_figures, node_figures
from app.services.series.window import (
    Bounds,
    installation_window,
)


@dataclass(frozen=True)
class NodeTimeseries:
    """A ``Node-Timeseries`` resource; ``samples`` is None in list items.

    ``sample_count`` is a list item's tally (0 in a detail, which counts its
    ``samples`` as they are read): :attr:`count` is the one to show.
    """

    node_id: uuid.UUID
    node_alias: str
    from_timestamp_s: int
    to_timestamp_s: int
    sample_count: int
    samples: SampleChunks | None = None

    @property
    def count(self) -> int:
        """The samples counted: the list's tally, or those a detail has read."""
        return self.sample_count if self.samples is None else self.samples.count


@dataclass(frozen=True)
class InstallationTimeseries:
    """An ``Installation-Timeseries`` resource: the node's series within the
    installation's interval."""

    installation_id: int
    series: NodeTimeseries


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
    stats = node_figures(session, [n.id for n in nodes])
    return [
        NodeTimeseries(n.id, n.alias, 0, to_epoch(now), s.count)
        for n, s in zip(nodes, stats, strict=True)
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
    window = bounds.window(now)
    chunks = chunks_in(session, SeriesSource(node.id, node.owner_id), window)
    return NodeTimeseries(
        node.id,
        node.alias,
        bounds.from_or_zero(),
        bounds.to_or_now(now),
        0,
        chunks,
    )


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
    stats = installation_figures(session, [(i.id, i.node_id) for i in installations])
    return [
        InstallationTimeseries(
            i.id,
            NodeTimeseries(
                i.node_id,
                i.node.alias,
                to_epoch(i.from_time),
                end_to_epoch(i.to_time),
                s.count,
            ),
        )
        for i, s in zip(installations, stats, strict=True)
    ]


def get_installation_timeseries(
    session: Session, actor: Actor, installation_id: int, bounds: Bounds, now: datetime
) -> InstallationTimeseries:
    """An installation's samples in ``[max(from, filter), min(to, filter or now)]``.

    Raises:
        NotFoundError: no such installation, or invisible to the actor.
    """
    installation = access.get_visible(session, actor, Installation, installation_id)
    from_s = max(to_epoch(installation.from_time), bounds.from_or_zero())
    to_s = min(end_to_epoch(installation.to_time), bounds.to_or_now(now))
    window = bounds.window(now).clip(installation_window(installation))
    chunks = chunks_in(session, installation_source(installation), window)
    return InstallationTimeseries(
        installation.id,
        NodeTimeseries(
            installation.node_id,
            installation.node.alias,
            from_s,
            to_s,
            0,
            chunks,
        ),
    )
