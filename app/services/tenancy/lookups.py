"""Users found by their exact e-mail address, and whom an OWNER may add by id.

Members are added by user id (``POST /api/v1/memberships/``, the ``users``
relationship of an organization). An id alone proves nothing: ids can be
counted up, and a new member's e-mail address and names are shown to the other
members. So an id is accepted only for a user the caller already knows
(:func:`app.services.access.require_addable_users`): someone they share an
organization with, or someone they found by their exact e-mail address within
the last ``LOGIN_RATE_LIMIT_WINDOW_S`` seconds (15 minutes by default), as
como-ui does (``GET /api/v1/users/?filter[search]=<address>``, then the POST),
and as the dashboard's add-member form does in one step. This module remembers
those finds.

The finds are kept in the table of the rate-limit counters (``login_failures``:
a SHA-256 key and the start of a window), under a purpose of their own, so they
need no table of their own; the key is a digest of the finder and the found
user, so the table holds no ids in clear. ``flask auth prune`` deletes them
with the counters once the window has passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime, timedelta

from flask import current_app

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.models import LoginFailure
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor

#: Mixed into every key, so that no find can match a rate-limit counter.
PURPOSE = "member-lookup"
#: The rate-limit table's scope the finds are stored under (it allows two).
_SCOPE = "account"


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
        {"scope": _SCOPE, "key": _key(actor.user_id, user_id), "window_start": moment}
        for user_id in sorted(set(user_ids))
    ]
    stmt = insert(LoginFailure).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[LoginFailure.scope, LoginFailure.key],
            set_={"window_start": stmt.excluded.window_start},
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
    by_key = {_key(actor.user_id, user_id): user_id for user_id in set(user_ids)}
    since = (now or utcnow()) - _window()
    keys = session.scalars(
        select(LoginFailure.key).where(
            LoginFailure.scope == _SCOPE,
            LoginFailure.key.in_(sorted(by_key)),
            LoginFailure.window_start > since,
        )
    )
    return {by_key[key] for key in keys}


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


def _window() -> timedelta:
    return timedelta(seconds=int(current_app.config["LOGIN_RATE_LIMIT_WINDOW_S"]))


def _key(finder_id: int, user_id: int) -> str:
    value = f"{PURPOSE}:{_SCOPE}:finder:{finder_id}|user:{user_id}"
    return hashlib.sha256(value.encode()).hexdigest()
