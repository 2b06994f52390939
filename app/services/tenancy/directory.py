"""The user directory: which users an actor can list, read and find.

Visibility comes from :mod:`app.services.access`: a user sees the users who
share an organization with them and themselves; members of an organization are
known only to its members; anyone signed in may find an active user by their
exact e-mail address, which reveals the id and username only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from app.models import Organization, User
from app.services import access
from app.services.access import Actor
from app.services.tenancy import lookups
from app.services.tenancy.listing import Listing, Page, fetch_rows

_TERM_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class UserSummary:
    """What a list shows of a user."""

    id: int
    username: str


@dataclass(frozen=True)
class UserDetail:
    """What a user's own resource shows."""

    id: int
    username: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class UserFilter:
    """The filters of the user list (``filter[organization]``, ``filter[search]``)."""

    organization_id: int | None = None
    search: str | None = None


def list_users(
    session: Session, actor: Actor, filters: UserFilter, page: Page
) -> Listing[UserSummary]:
    """List the users ``actor`` may see, narrowed by ``filters``, ordered by id.

    ``search`` splits into terms (white space, commas) that must all occur,
    ignoring case, in the username or e-mail address of a visible user. Without
    an organization filter, the user whose e-mail address equals ``search`` is
    found as well, even when they share no organization with ``actor``; that
    find is remembered (flushes), so ``actor`` may add them to an organization
    by id for a while (:mod:`app.services.tenancy.lookups`).

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_may_query(actor, User)
    condition = access.visible(User, actor)
    if filters.organization_id is not None:
        condition = condition & access.members_of(filters.organization_id, actor)
    if filters.search:
        condition = condition & _matches(filters.search)
        if filters.organization_id is None:
            by_email = access.findable_by_email(actor, filters.search)
            condition = condition | by_email
            if remembers_finds(filters):
                found = session.scalars(select(User.id).where(by_email))
                lookups.record(session, actor, list(found))
    stmt = select(User.id, User.username).where(condition).order_by(User.id)
    rows, total = fetch_rows(session, stmt, page)
    return Listing(tuple(UserSummary(r.id, r.username) for r in rows), total)


def remembers_finds(filters: UserFilter) -> bool:
    """Whether listing with ``filters`` may remember a find by exact e-mail address
    (a write: the caller commits it)."""
    # nothing without "@" can be an exact address
    return filters.organization_id is None and "@" in (filters.search or "")


def organization_users(
    session: Session, actor: Actor, organization_id: int, page: Page
) -> Listing[UserSummary]:
    """List the members of a visible organization, as far as ``actor`` may know them.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.require_may_query(actor, User)
    access.get_visible(session, actor, Organization, organization_id)
    return list_users(session, actor, UserFilter(organization_id), page)


def get_user(session: Session, actor: Actor, user_id: int) -> UserDetail:
    """Return a user ``actor`` may see.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such user, or not visible to ``actor``.
    """
    access.require_may_query(actor, User)
    return _detail(access.get_visible(session, actor, User, user_id))


def users_by_ids(
    session: Session, actor: Actor, ids: Iterable[int]
) -> list[UserDetail]:
    """Return the users among ``ids`` that ``actor`` may see, ordered by id."""
    return [_detail(user) for user in access.visible_rows(session, actor, User, ids)]


def _detail(user: User) -> UserDetail:
    return UserDetail(
        user.id, user.username, user.email, user.first_name, user.last_name
    )


def _matches(search: str) -> ColumnElement[bool]:
    terms = [t for t in _TERM_SEPARATORS.split(search) if t]
    if not terms:
        return true()
    return and_(
        *(
            or_(
                User.username.icontains(term, autoescape=True),
                User.email.icontains(term, autoescape=True),
            )
            for term in terms
        )
    )
