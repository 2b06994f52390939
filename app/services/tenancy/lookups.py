"""Users found by their exact e-mail address, and whom an OWNER may add by id.

Members are added by user id (``POST /api/v1/memberships/``, the ``users``
relationship of an organization). An id alone proves nothing: ids can be
counted up, and a new member's e-mail address and names are shown to the other
members. So an id is accepted only for a user the caller already knows
(:func:`app.services.access.require_addable_users`): someone they share an
organization with, or someone they found by their exact e-mail address within
the last ``MEMBER_LOOKUP_WINDOW_S`` seconds (15 minutes by default), as
como-ui does (``GET /api/v1/users/?filter[search]=<address>``, then the POST),
and as the dashboard's add-member form does in one step. This module remembers
those finds.

Each find is a row of ``member_lookups`` (:class:`app.models.MemberLookup`):
the finder, the found user and when; finding the same user again starts the
window anew. ``flask auth prune`` deletes the finds whose window has passed
(:func:`prune`); deleting a user deletes the finds they made and those of them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from flask import current_app

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.models import MemberLookup
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor


def record(
    session: Session,
    actor: Actor,
    user_ids: Collection[int],
    now: datetime | None = None,
) -> None:
    """Remember that ``actor`` found ``user_ids`` by exact e-mail address (flushes).

    A repeated find starts the user's window anew.
    """
    if actor.user_id is None or not user_ids:
        return
    moment = now or utcnow()
    rows = [
        {"finder_id": actor.user_id, "user_id": user_id, "found_at": moment}
        for user_id in sorted(set(user_ids))
    ]
    stmt = insert(MemberLookup).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[MemberLookup.finder_id, MemberLookup.user_id],
            set_={"found_at": stmt.excluded.found_at},
        )
    )


def found(
    session: Session,
    actor: Actor,
    user_ids: Collection[int],
    now: datetime | None = None,
) -> set[int]:
    """Return those of ``user_ids`` that ``actor`` found by e-mail within the window."""
    if actor.user_id is None or not user_ids:
        return set()
    since = (now or utcnow()) - window()
    return set(
        session.scalars(
            select(MemberLookup.user_id).where(
                MemberLookup.finder_id == actor.user_id,
                MemberLookup.user_id.in_(sorted(set(user_ids))),
                MemberLookup.found_at > since,
            )
        )
    )


def prune(session: Session, now: datetime) -> int:
    """Delete the finds whose window has passed by ``now``; returns how many."""
    result = session.execute(
        delete(MemberLookup).where(MemberLookup.found_at <= now - window())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def require_addable(
    session: Session, actor: Actor, user_ids: Collection[int], pointer: str
) -> None:
    """Refuse user ids ``actor`` may not add to an organization.

    Raises:
        ValidationError: a user who does not exist, or whom ``actor`` neither
            sees nor found by e-mail within the window (the same answer for
            both, 400 at ``pointer``).
    """
    access.require_addable_users(
        session, actor, user_ids, found(session, actor, user_ids), pointer
    )


def window() -> timedelta:
    """How long a find lets its finder add the user (``MEMBER_LOOKUP_WINDOW_S``)."""
    return timedelta(seconds=int(current_app.config["MEMBER_LOOKUP_WINDOW_S"]))
