"""What operators see of node liveness: counts per verdict and the dead nodes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Node, NodeFidelity, Organization
from app.models.devices import Fidelity
from app.services.access import Actor, require_staff

DEAD_SHOWN = 200


@dataclass(frozen=True)
class DeadNode:
    """A node whose newest sample is older than twice the fidelity limit."""

    node_id: uuid.UUID
    alias: str
    eui64: str
    owner: str
    last_contact: datetime | None
    last_check: datetime


@dataclass(frozen=True)
class FidelityOverview:
    """Nodes per verdict (nodes never checked count as unchecked) and dead nodes."""

    counts: dict[Fidelity, int]
    unchecked: int
    dead: tuple[DeadNode, ...]
    dead_total: int


def overview(
    session: Session, actor: Actor, *, limit: int = DEAD_SHOWN
) -> FidelityOverview:
    """Count the verdicts of every node and list the dead ones, longest silent first.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not staff.
    """
    require_staff(actor)
    counts = {verdict: 0 for verdict in Fidelity}
    for verdict, n in session.execute(
        select(NodeFidelity.fidelity, func.count()).group_by(NodeFidelity.fidelity)
    ):
        counts[verdict] = int(n)
    nodes = int(session.scalar(select(func.count()).select_from(Node)) or 0)
    rows = session.execute(
        select(
            Node.id,
            Node.alias,
            Node.eui64,
            Organization.name,
            NodeFidelity.last_contact,
            NodeFidelity.last_check,
        )
        .join(NodeFidelity, NodeFidelity.node_id == Node.id)
        .join(Organization, Organization.id == Node.owner_id)
        .where(NodeFidelity.fidelity == Fidelity.DEAD)
        .order_by(NodeFidelity.last_contact.asc().nulls_first(), Node.eui64)
        .limit(limit)
    ).all()
    return FidelityOverview(
        counts=counts,
        unchecked=max(0, nodes - sum(counts.values())),
        dead=tuple(DeadNode(*row) for row in rows),
        dead_total=counts[Fidelity.DEAD],
    )
