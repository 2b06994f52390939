"""Which samples feed a room's analysis: its visible installations, clipped.

Managair took every sample of each installed node inside the window, also
those from when the node hung in another room, and checked for simultaneous
installations only partially (§6.2 step 2). Here each installation contributes
only the samples inside its own interval, and two visible installations of the
room that are active at the same time (for a positive duration) are a conflict.
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
from app.services.airquality.rules import MAX_GAP_S
from app.services.airquality.window import Window

#: Samples this close outside the window still bound the grid points at its edges.
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
    session: Session, actor: Actor, room_id: int, window: Window
) -> list[Span]:
    """Return the sample spans of the room's installations that ``actor`` may see.

    Each installation is clipped to its own interval and to the window widened
    by :data:`MARGIN` (samples just outside the window bound its edge points).

    Args:
        session: the database session.
        actor: the caller; only installations visible to them count.
        room_id: the room (already checked to be visible).
        window: the analysed window.

    Returns:
        The spans, ordered by start; empty when no installation intersects.

    Raises:
        ConflictError: two visible installations are active at the same time
            inside the window.
    """
    lo, hi = window.start - MARGIN, window.end + MARGIN
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
    _refuse_overlaps(spans, window)
    return spans


def _refuse_overlaps(spans: list[Span], window: Window) -> None:
    """Raise when two spans share a positive stretch of time inside the window.

    Spans that merely touch (one ends the second the next begins, as when a
    client ends an installation and starts a new one "now") do not conflict.
    """
    latest: Span | None = None
    for span in spans:
        if latest is not None:
            overlap_start = max(span.start, window.start)
            overlap_end = min(latest.end, span.end, window.end)
            if overlap_start < overlap_end:
                raise ConflictError(
                    f"Installations {latest.installation_id} and "
                    f"{span.installation_id} of this room are both active from "
                    f"{int(overlap_start.timestamp())} to "
                    f"{int(overlap_end.timestamp())}; the air quality of a room "
                    "needs one node at a time. End one of the installations."
                )
        if latest is None or span.end > latest.end:
            latest = span
