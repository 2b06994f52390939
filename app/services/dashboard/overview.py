"""An organization's rooms at a glance: current CO2, sample age, liveness, medal.

A fixed number of statements whatever the number of rooms: the rooms, this
month's installations with their nodes' aliases and verdicts (the current ones
are the nodes shown, all of them feed the medals), the newest sample of each
current node, the stored days of :mod:`app.services.dashboard.rollup` (and raw
samples only for what a medal can still depend on, see
:mod:`app.services.dashboard.month`), the open alerts. All read as plain rows:
ORM objects cost more than the queries for 50 rooms.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.models import Installation, Node, NodeFidelity, Organization, Role, Room, Site
from app.models.devices import Fidelity
from app.services import access
from app.services.access import Actor
from app.services.airquality.period import YearMonth, month_period
from app.services.alerts.listing import AlertView, open_alerts
from app.services.dashboard.month import (
    InstallationRow,
    installations_in,
    month_air,
)
from app.services.series.tallies import installation_figures

# The newest sample at or before ``now`` of each node inside its installation, for
# the installations whose tallied newest sample lies after ``now`` (stamped in the
# future): one index probe per node on ux_samples_node_id_time. ``since`` bounds the
# scan by a constant, so that only the newest chunks are opened: without it every
# chunk of the node's history is (the query took 15-30 ms with two years of samples).
_LATEST = text(
    """
    SELECT i.node_id, s.time, s.co2_ppm
    FROM unnest(CAST(:node_ids AS uuid[]), CAST(:froms AS timestamptz[]))
         AS i (node_id, from_time)
    CROSS JOIN LATERAL (
        SELECT time, co2_ppm FROM samples
        WHERE samples.node_id = i.node_id AND samples.time >= i.from_time
          AND samples.time >= :since AND samples.time <= :now
        ORDER BY time DESC LIMIT 1
    ) AS s
    """
).bindparams(
    bindparam("node_ids"), bindparam("froms"), bindparam("since"), bindparam("now")
)

#: How far back the newest samples after a future-stamped one are looked for first;
#: the nodes silent for longer are looked up again over their whole installation.
RECENT = timedelta(days=1)
#: Before every sample (the second look-up's bound).
_EVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NodeStatus:
    """A node installed in a room now, with its latest liveness verdict."""

    node_id: uuid.UUID
    alias: str
    installation_id: int
    fidelity: Fidelity


@dataclass(frozen=True)
class RoomStatus:
    """One room of the overview.

    ``co2_ppm`` is the highest of its nodes' newest values (the worst corner
    decides, as in the air-quality analysis); ``last_sample`` the newest time.
    """

    room_id: int
    name: str
    site_name: str
    co2_ppm: int | None
    last_sample: datetime | None
    medal: bool
    nodes: list[NodeStatus] = field(default_factory=list)


@dataclass(frozen=True)
class Overview:
    """The overview page of one organization."""

    organization: Organization
    role: Role | None
    organizations: list[Organization]
    month: YearMonth
    rooms: list[RoomStatus]
    alerts: tuple[AlertView, ...] = ()

    def alerts_of(self, room_id: int) -> list[AlertView]:
        """The open alerts of one room (a handful at most: no index needed)."""
        return [alert for alert in self.alerts if alert.room_id == room_id]


def my_organizations(session: Session, actor: Actor) -> list[Organization]:
    """The organizations the actor belongs to, by name (the switcher)."""
    ids = actor.member_org_ids
    if not ids:
        return []
    stmt = select(Organization).where(Organization.id.in_(ids))
    return list(session.scalars(stmt.order_by(Organization.name, Organization.id)))


def overview(
    session: Session,
    actor: Actor,
    organization_id: int,
    *,
    now: datetime,
    timezone: str,
) -> Overview:
    """Every room of a member's organization with its state now and this month.

    Args:
        session: the request's session (read only).
        actor: the caller, a member of ``organization_id``.
        organization_id: the organization shown.
        now: the request time.
        timezone: the analysis zone (which month is "this month").

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: not one of the actor's organizations.
    """
    access.require_authenticated(actor)
    organizations = my_organizations(session, actor)
    current = next((o for o in organizations if o.id == organization_id), None)
    if current is None:
        raise NotFoundError(f"No organization {organization_id}.")
    rooms = session.execute(
        access.scoped(
            select(Room.id, Room.name, Site.name)
            .join(Site, Site.id == Room.site_id)
            .where(Site.operator_id == organization_id)
            .order_by(Site.name, Site.id, Room.name, Room.id),
            Room,
            actor,
        )
    ).all()
    room_ids = [room_id for room_id, _, _ in rooms]
    local = now.astimezone(ZoneInfo(timezone))
    month = YearMonth(local.year, local.month)
    period = month_period(month, ZoneInfo(timezone))
    rows = session.execute(
        installations_in(actor, room_ids, period)
        .add_columns(Node.alias, NodeFidelity.fidelity)
        .join(Node, Node.id == Installation.node_id)
        .outerjoin(NodeFidelity, NodeFidelity.node_id == Installation.node_id)
        .order_by(Installation.from_time)
    ).all()
    nodes = _current_nodes(rows, now)
    latest = _latest(session, [pair for room in nodes.values() for pair in room], now)
    air = month_air(
        session,
        actor,
        room_ids,
        month,
        timezone=timezone,
        now=now,
        detail=False,
        installations=[InstallationRow(*row[:5]) for row in rows],
    )
    statuses = []
    for room_id, name, site_name in rooms:
        installed = nodes.get(room_id, [])
        seen = [latest[n.node_id] for n, _ in installed if n.node_id in latest]
        statuses.append(
            RoomStatus(
                room_id=room_id,
                name=name,
                site_name=site_name,
                co2_ppm=max((c for _, c in seen), default=None),
                last_sample=max((t for t, _ in seen), default=None),
                medal=air[room_id].clean_air_medal,
                nodes=[n for n, _ in installed],
            )
        )
    return Overview(
        current,
        actor.roles.get(organization_id),
        organizations,
        month,
        statuses,
        open_alerts(session, actor, organization_id),
    )


def _current_nodes(
    rows: Sequence[Any], now: datetime
) -> dict[int, list[tuple[NodeStatus, datetime]]]:
    """The nodes installed in each room at ``now`` with their verdicts, from the
    month's installation rows (id, room, node, from, to, alias, fidelity)."""
    found: dict[int, list[tuple[NodeStatus, datetime]]] = defaultdict(list)
    for ident, room_id, node_id, since, until, alias, fidelity in rows:
        if since <= now and (until is None or until >= now):
            status = NodeStatus(node_id, alias, ident, fidelity or Fidelity.UNKNOWN)
            found[room_id].append((status, since))
    return found


def _latest(
    session: Session, nodes: list[tuple[NodeStatus, datetime]], now: datetime
) -> dict[uuid.UUID, tuple[datetime, int]]:
    """The newest sample (time, CO2) of each node since it was installed, up to now.

    The installations' tallies name each newest sample (one probe each, however
    long a node has been silent); only a node whose newest sample is stamped after
    ``now`` is searched backwards from ``now``.
    """
    figures = installation_figures(
        session, [(n.installation_id, n.node_id) for n, _ in nodes]
    )
    found: dict[uuid.UUID, tuple[datetime, int]] = {}
    future: list[tuple[NodeStatus, datetime]] = []
    for pair, figure in zip(nodes, figures, strict=True):
        if figure.last is not None and figure.last > now:
            future.append(pair)
        elif figure.last is not None and figure.latest is not None:
            found[pair[0].node_id] = (figure.last, int(figure.latest["co2_ppm"]))
    for since in (now - RECENT, _EVER):
        wanted = [(n, start) for n, start in future if n.node_id not in found]
        if not wanted:
            break
        rows = session.execute(
            _LATEST,
            {
                "node_ids": [n.node_id for n, _ in wanted],
                "froms": [start for _, start in wanted],
                "since": since,
                "now": now,
            },
        )
        found.update((node_id, (time, co2)) for node_id, time, co2 in rows)
    return found
