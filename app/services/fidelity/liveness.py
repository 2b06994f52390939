"""Node liveness (fidelity): the set-based check and the member-scoped reads.

The check (Managair §8, its abort on nodes without samples fixed) looks at each
node's newest sample; with ``age = now - newest``:

* ``age <= L``       → ALIVE (``E``)
* ``L < age <= 2L``  → MISSING (``M``)
* ``age > 2L``       → DEAD (``D``)
* no sample at all   → UNKNOWN (``U``), ``last_contact`` null

It is one ``INSERT ... SELECT ... ON CONFLICT`` over all nodes, reading the
newest sample per node through the ``(node_id, time DESC)`` index, so no node
can stop the run and 100,000 nodes take seconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Exists, Select, exists, or_, select, text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError, NotFoundError
from app.models import Installation, Node, NodeFidelity, Room
from app.models.devices import Fidelity
from app.models.types import utcnow
from app.services.access import Actor, get_visible, require_authenticated, scoped
from app.services.tenancy.listing import Listing, Page, fetch_entities

DEFAULT_LIMIT_S = 7200

_CHECK = text(
    """
WITH verdicts AS (
    SELECT n.id AS node_id,
           newest.time AS last_contact,
           CASE
               WHEN newest.time IS NULL THEN 'U'
               WHEN newest.time >= :now - make_interval(secs => :limit_s) THEN 'E'
               WHEN newest.time >= :now - make_interval(secs => 2 * :limit_s) THEN 'M'
               ELSE 'D'
           END AS fidelity
    FROM nodes AS n
    LEFT JOIN LATERAL (
        SELECT s.time FROM samples AS s
        WHERE s.node_id = n.id
        ORDER BY s.time DESC
        LIMIT 1
    ) AS newest ON true
), written AS (
    INSERT INTO node_fidelity (node_id, fidelity, last_contact, last_check)
    SELECT node_id, fidelity, last_contact, :now FROM verdicts
    ON CONFLICT (node_id) DO UPDATE
        SET fidelity = EXCLUDED.fidelity,
            last_contact = EXCLUDED.last_contact,
            last_check = EXCLUDED.last_check
    RETURNING fidelity
)
SELECT fidelity, count(*) FROM written GROUP BY fidelity
"""
)


@dataclass(frozen=True)
class CheckResult:
    """How many nodes got each verdict in one check."""

    alive: int = 0
    missing: int = 0
    dead: int = 0
    unknown: int = 0

    @property
    def nodes(self) -> int:
        """Nodes checked."""
        return self.alive + self.missing + self.dead + self.unknown


@dataclass(frozen=True)
class FidelityView:
    """One node's latest verdict, as the API shows it."""

    node_id: uuid.UUID
    fidelity: Fidelity
    last_contact: datetime | None
    last_check: datetime


@dataclass(frozen=True)
class FidelityFilter:
    """Filters of the fidelity list; site and room go through current installations."""

    organization: int | None = None
    site: int | None = None
    room: int | None = None
    fidelity: tuple[Fidelity, ...] = ()


def check_all(
    session: Session,
    actor: Actor,
    *,
    limit_s: int = DEFAULT_LIMIT_S,
    now: datetime | None = None,
) -> CheckResult:
    """Classify every node by the age of its newest sample and store the verdicts.

    Args:
        session: the job's session (not committed here).
        actor: must be SYSTEM.
        limit_s: ``L`` in seconds (``NODE_FIDELITY_LIMIT_S``).
        now: the check time; the current time, truncated to the second, by default.

    Returns:
        How many nodes got each verdict.

    Raises:
        ForbiddenError: the actor is not SYSTEM.
        ValueError: ``limit_s`` is not positive.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the jobs process checks node fidelity.")
    if limit_s <= 0:
        raise ValueError(f"limit_s must be positive, got {limit_s}")
    checked_at = (now or utcnow()).replace(microsecond=0)
    rows = session.execute(_CHECK, {"now": checked_at, "limit_s": float(limit_s)})
    counts = {code: int(n) for code, n in rows}
    return CheckResult(
        alive=counts.get(Fidelity.ALIVE.value, 0),
        missing=counts.get(Fidelity.MISSING.value, 0),
        dead=counts.get(Fidelity.DEAD.value, 0),
        unknown=counts.get(Fidelity.UNKNOWN.value, 0),
    )


def _view(row: NodeFidelity) -> FidelityView:
    return FidelityView(row.node_id, row.fidelity, row.last_contact, row.last_check)


def _current_installation_in(rooms: Select[int], now: datetime) -> Exists:
    """Nodes installed right now in one of ``rooms``."""
    return exists().where(
        Installation.node_id == NodeFidelity.node_id,
        Installation.room_id.in_(rooms),
        Installation.from_time <= now,
        or_(Installation.to_time.is_(None), Installation.to_time >= now),
    )


def list_query(
    actor: Actor, filters: FidelityFilter, *, now: datetime | None = None
) -> Select[NodeFidelity]:
    """Return the query of the verdicts ``actor`` may read, filtered, by node EUI.

    Args:
        actor: the caller; only nodes of their organizations are visible.
        filters: organization, site, room (through the node's installation at
            ``now``) and fidelity codes.
        now: the time that makes an installation current; defaults to now.

    Returns:
        A SELECT of ``NodeFidelity`` rows, ready for pagination.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    require_authenticated(actor)
    at = now or utcnow()
    stmt = scoped(
        select(NodeFidelity)
        .join(Node, Node.id == NodeFidelity.node_id)
        .order_by(Node.eui64),
        NodeFidelity,
        actor,
    )
    if filters.organization is not None:
        stmt = stmt.where(Node.owner_id == filters.organization)
    if filters.site is not None:
        rooms = select(Room.id).where(Room.site_id == filters.site)
        stmt = stmt.where(_current_installation_in(rooms, at))
    if filters.room is not None:
        rooms = select(Room.id).where(Room.id == filters.room)
        stmt = stmt.where(_current_installation_in(rooms, at))
    if filters.fidelity:
        stmt = stmt.where(NodeFidelity.fidelity.in_(filters.fidelity))
    return stmt


def list_fidelity(
    session: Session, actor: Actor, filters: FidelityFilter, page: Page
) -> Listing[FidelityView]:
    """List the ``page`` of the verdicts ``actor`` may read (see :func:`list_query`).

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    found = fetch_entities(session, list_query(actor, filters), page)
    return Listing(tuple(views(found.items)), found.total)


def views(rows: Iterable[NodeFidelity]) -> list[FidelityView]:
    """Turn loaded rows into views."""
    return [_view(row) for row in rows]


def get_fidelity(session: Session, actor: Actor, node_id: str) -> FidelityView:
    """Return the verdict of one node the actor may read.

    Args:
        session: the request's session.
        actor: the caller.
        node_id: the node's UUID as given in the URL.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: not a UUID, no verdict for that node, or the node is not
            the actor's.
    """
    require_authenticated(actor)
    try:
        key = uuid.UUID(node_id)
    except ValueError:
        raise NotFoundError(f"No fidelity for node {node_id}.") from None
    return _view(get_visible(session, actor, NodeFidelity, key))


def fidelity_of(
    session: Session, actor: Actor, node_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, FidelityView]:
    """Return the verdicts of several nodes (for the node resource), one query.

    Nodes the actor may not read and nodes never checked are left out.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    require_authenticated(actor)
    ids = list(node_ids)
    if not ids:
        return {}
    rows = session.scalars(
        scoped(
            select(NodeFidelity).where(NodeFidelity.node_id.in_(ids)),
            NodeFidelity,
            actor,
        )
    )
    return {row.node_id: _view(row) for row in rows}
