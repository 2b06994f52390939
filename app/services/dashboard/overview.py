"""An organization's rooms at a glance: current CO2, sample age, liveness, medal.

Three queries whatever the number of rooms (rooms, current installations with
their nodes' verdicts, the newest sample of each), plus those of the month's
medals: the stored days of :mod:`app.services.dashboard.rollup` and today's raw
samples (:mod:`app.services.dashboard.month`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.orm import Session, joinedload

from app.errors import NotFoundError
from app.models import Installation, NodeFidelity, Organization, Role, Room, Site
from app.models.devices import Fidelity
from app.services import access
from app.services.access import Actor
from app.services.airquality.period import YearMonth
from app.services.alerts.listing import AlertView, open_alerts
from app.services.dashboard.month import month_air

# The newest sample of each installed node inside its installation: one index
# probe per node on ux_samples_node_id_time.
_LATEST = text(
    """
    SELECT i.node_id, s.time, s.co2_ppm
    FROM unnest(CAST(:node_ids AS uuid[]), CAST(:froms AS timestamptz[]))
         AS i (node_id, from_time)
    CROSS JOIN LATERAL (
        SELECT time, co2_ppm FROM samples
        WHERE samples.node_id = i.node_id AND samples.time >= i.from_time
          AND samples.time <= :now
        ORDER BY time DESC LIMIT 1
    ) AS s
    """
).bindparams(bindparam("node_ids"), bindparam("froms"), bindparam("now"))


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

    room: Room
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
    rooms = list(
        session.scalars(
            access.scoped(
                select(Room)
                .join(Site, Site.id == Room.site_id)
                .options(joinedload(Room.site))
                .where(Site.operator_id == organization_id)
                .order_by(Site.name, Site.id, Room.name, Room.id),
                Room,
                actor,
            )
        )
    )
    nodes = _current_nodes(session, actor, [r.id for r in rooms], now)
    latest = _latest(session, [pair for room in nodes.values() for pair in room], now)
    local = now.astimezone(ZoneInfo(timezone))
    month = YearMonth(local.year, local.month)
    air = month_air(
        session,
        actor,
        [r.id for r in rooms],
        month,
        timezone=timezone,
        now=now,
        detail=False,
    )
    statuses = []
    for room in rooms:
        installed = nodes.get(room.id, [])
        seen = [latest[n.node_id] for n, _ in installed if n.node_id in latest]
        statuses.append(
            RoomStatus(
                room=room,
                co2_ppm=max((c for _, c in seen), default=None),
                last_sample=max((t for t, _ in seen), default=None),
                medal=air[room.id].clean_air_medal,
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
    session: Session, actor: Actor, room_ids: list[int], now: datetime
) -> dict[int, list[tuple[NodeStatus, datetime]]]:
    """The nodes installed in each room at ``now`` with their verdicts."""
    if not room_ids:
        return {}
    stmt = (
        select(Installation, NodeFidelity.fidelity)
        .options(joinedload(Installation.node))
        .outerjoin(NodeFidelity, NodeFidelity.node_id == Installation.node_id)
        .where(
            Installation.room_id.in_(room_ids),
            Installation.from_time <= now,
            or_(Installation.to_time.is_(None), Installation.to_time >= now),
        )
        .order_by(Installation.from_time)
    )
    found: dict[int, list[tuple[NodeStatus, datetime]]] = defaultdict(list)
    for inst, fidelity in session.execute(access.scoped(stmt, Installation, actor)):
        status = NodeStatus(
            inst.node_id, inst.node.alias, inst.id, fidelity or Fidelity.UNKNOWN
        )
        found[inst.room_id].append((status, inst.from_time))
    return found


def _latest(
    session: Session, nodes: list[tuple[NodeStatus, datetime]], now: datetime
) -> dict[uuid.UUID, tuple[datetime, int]]:
    """The newest sample (time, CO2) of each node since it was installed."""
    if not nodes:
        return {}
    rows = session.execute(
        _LATEST,
        {
            "node_ids": [n.node_id for n, _ in nodes],
            "froms": [since for _, since in nodes],
            "now": now,
        },
    )
    return {node_id: (time, co2) for node_id, time, co2 in rows}
