"""Which samples feed a room's analysis: its visible installations, clipped.

Managair took every sample of each installed node inside the period, also
those from when the node hung in another room, and checked for simultaneous
installations only partially (§6.2 step 2). Here each installation contributes
only the samples inside its own interval. Several nodes in one room at once are
normal (a large classroom; the grid combines them); only two installations of
the same node active at the same time would be a data error (the database's
exclusion constraint forbids them, so the check is a guard).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.models import Installation
from app.services.access import Actor, scoped
from app.services.airquality.period import Period
from app.services.airquality.rules import MAX_GAP_S

#: Samples this close outside the period still bound the grid points at its edges.
MARGIN = timedelta(seconds=MAX_GAP_S)


@dataclass(frozen=True)
class Span:
    """The samples of one node in ``[start, end]`` (both inclusive) feed the room.

    Attributes:
        installation_id: the installation the span comes from.
        node_id: the installed node.
        start: first instant, aware.
        end: last instant, aware.
    """

    installation_id: int
    node_id: uuid.UUID
    start: datetime
    end: datetime


def room_spans(
    session: Session, actor: Actor, room_id: int, period: Period
) -> list[Span]:
    """Return the sample spans of the room's installations that ``actor`` may see.

    Each installation is clipped to its own interval and to the period widened
    by :data:`MARGIN` (samples just outside the period bound its edge points).

    Args:
        session: the database session.
        actor: the caller; only installations visible to them count.
        room_id: the room (already checked to be visible).
        period: the analysed period.

    Returns:
        The spans, ordered by start; empty when no installation intersects.

    Raises:
        ConflictError: two visible installations of the same node are active
            at the same time inside the period.
    """
    lo, hi = period.start - MARGIN, period.end + MARGIN
    stmt = select(Installation).where(
        Installation.room_id == room_id,
        Installation.from_time <= hi,
        or_(Installation.to_time.is_(None), Installation.to_time >= lo),
    )
    installations = session.scalars(
        scoped(stmt, Installation, actor).order_by(
            Installation.from_time, Installation.id
        )
    ).all()
    spans = [
        Span(
            installation_id=inst.id,
            node_id=inst.node_id,
            start=max(inst.from_time, lo),
            end=hi if inst.to_time is None else min(inst.to_time, hi),
        )
        for inst in installations
    ]
    refuse_self_overlaps(spans, period)
    return spans


def refuse_self_overlaps(spans: list[Span], period: Period) -> None:
    """Raise when two spans of one node share a positive stretch inside the period.

    Spans that merely touch (one ends the second the next begins, as when a
    client ends an installation and starts a new one "now") do not conflict.
    """
    latest: dict[uuid.UUID, Span] = {}
    for span in spans:
        previous = latest.get(span.node_id)
        if previous is not None:
            overlap_start = max(span.start, period.start)
            overlap_end = min(previous.end, span.end, period.end)
            if overlap_start < overlap_end:
                raise ConflictError(
                    f"Installations {previous.installation_id} and "
                    f"{span.installation_id} of node {span.node_id} are both "
                    f"active from {int(overlap_start.timestamp())} to "
                    f"{int(overlap_end.timestamp())}; a node can be in one "
                    "place at a time. End one of the installations."
                )
        if previous is None or span.end > previous.end:
            latest[span.node_id] = span
