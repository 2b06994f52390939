"""What operators see and do with the outbox: counts per publisher, retrying parked rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.services.access import Actor
from app.services.outbox import queries as q


@dataclass(frozen=True)
class PublisherStatus:
    """Outbox rows of one publisher by state."""

    publisher: str
    delivered: int
    pending: int
    retrying: int
    parked: int
    oldest_pending: datetime | None


def _require_operator(actor: Actor) -> None:
    if not (actor.is_system or actor.is_staff):
        raise ForbiddenError("Only operators see and change the outbox.")


def status(
    session: Session, actor: Actor, publishers: tuple[str, ...] = ()
) -> list[PublisherStatus]:
    """Return delivered, pending and parked counts per publisher.

    Args:
        session: any session.
        actor: SYSTEM (the CLI) or staff.
        publishers: names to list even when they have no rows (the enabled ones).

    Raises:
        ForbiddenError: the actor is neither SYSTEM nor staff.
    """
    _require_operator(actor)
    found = {
        row.publisher: PublisherStatus(**row._mapping)
        for row in session.execute(q.STATUS)
    }
    for name in publishers:
        found.setdefault(name, PublisherStatus(name, 0, 0, 0, 0, None))
    return [found[name] for name in sorted(found)]


def retry_parked(session: Session, actor: Actor, publisher: str | None = None) -> int:
    """Make parked rows due again with a fresh attempt budget.

    Args:
        session: the command's session (not committed here).
        actor: SYSTEM (the CLI) or staff.
        publisher: only this publisher's rows; all when None.

    Returns:
        How many rows were un-parked.

    Raises:
        ForbiddenError: the actor is neither SYSTEM nor staff.
    """
    _require_operator(actor)
    result = session.execute(q.RETRY_PARKED, {"publisher": publisher})
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class ParkedRow:
    """An outbox row that failed too often, with its last error."""

    id: int
    publisher: str
    installation_id: int
    time: datetime
    attempts: int
    parked_at: datetime
    last_error: str | None


def parked(session: Session, actor: Actor, limit: int = 50) -> list[ParkedRow]:
    """Return the most recently parked rows.

    Raises:
        ForbiddenError: the actor is neither SYSTEM nor staff.
    """
    _require_operator(actor)
    rows = session.execute(q.PARKED, {"limit": limit})
    return [ParkedRow(**row._mapping) for row in rows]
