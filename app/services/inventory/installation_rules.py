"""The rules of an installation, checked before it is written.

Node and room belong to the same organization; an installation never ends
before it starts; the installations of one node never overlap. Periods are
half-open for the overlap, like the database's exclusion constraint, so an
installation may start at the instant the previous one ends (the dashboards'
publicity toggle does exactly that).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Installation
from app.services.unique import Claim

NODE_POINTER = "/data/relationships/node"
FROM_POINTER = "/data/attributes/from_timestamp_s"
TO_POINTER = "/data/attributes/to_timestamp_s"


def check_installation(session: Session, inst: Installation) -> None:
    """Check the rules of an installation about to be written.

    Raises:
        ValidationError: node and room of different owners, ``from > to``, or
            an overlap with another installation of the node (400).
    """
    with session.no_autoflush:
        _check_rules(session, inst)


def overlap_claims() -> tuple[Claim, ...]:
    """The constraints that keep a node's installations apart, refused like the check.

    A concurrent request's installation is invisible to :func:`check_installation`
    until it commits; the write then breaks one of these constraints.
    """
    detail = gettext(
        "Another request installed the node for an overlapping period at the same "
        "time; the installations of a node must not overlap. Reload the node's "
        "installations and choose another period."
    )
    return tuple(
        Claim(name, detail, FROM_POINTER, ValidationError)
        for name in (
            "uq_installations_node_id_from_time",
            "ex_installations_node_period",
        )
    )


def _check_rules(session: Session, inst: Installation) -> None:
    if inst.node.owner_id != inst.room.site.operator_id:
        raise ValidationError(
            gettext("In an installation, node and room must belong to the same owner."),
            NODE_POINTER,
        )
    if inst.to_time is not None and inst.from_time > inst.to_time:
        raise ValidationError(
            gettext("to_timestamp_s must not be before from_timestamp_s."), TO_POINTER
        )
    other = _overlapping(session, inst)
    if other is not None:
        raise ValidationError(
            gettext(
                'The node is already installed in room "%(room)s" (%(period)s, '
                "installation %(id)s); the installations of a node must not "
                "overlap. End that installation first or choose another period.",
                room=other.room.name,
                period=_interval(other.from_time, other.to_time),
                id=other.id,
            ),
            FROM_POINTER,
        )


def _overlapping(session: Session, inst: Installation) -> Installation | None:
    # Half-open periods, like the database's exclusion constraint: an
    # installation may start at the instant the previous one ends.
    stmt = select(Installation).where(
        Installation.node_id == inst.node.id,
        or_(Installation.to_time.is_(None), Installation.to_time > inst.from_time),
    )
    if inst.to_time is not None:
        stmt = stmt.where(Installation.from_time < inst.to_time)
    if inst.id is not None:
        stmt = stmt.where(Installation.id != inst.id)
    return session.scalars(stmt.order_by(Installation.from_time).limit(1)).first()


def _interval(start: datetime, end: datetime | None) -> str:
    if end is None:
        return str(gettext("from %(start)s to open end", start=start.isoformat()))
    return str(
        gettext(
            "from %(start)s to %(end)s", start=start.isoformat(), end=end.isoformat()
        )
    )
