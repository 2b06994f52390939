"""Member sets: who belongs to an organization, changed from either side.

Backs the relationship endpoints ``/organizations/<id>/relationships/users/``
and ``/users/<id>/relationships/organizations/`` and the ``users``
relationship of an organization. Only OWNERs of an organization change its
members (Managair let anyone); new members join as INSPECTORs, and only users
the OWNER already sees or found by exact e-mail address may join
(:mod:`app.services.tenancy.lookups`); no change may remove an organization's
last OWNER.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Membership, Organization, Role, User
from app.services import access
from app.services.access import Actor
from app.services.tenancy import lookups

#: Where the ids of a top-level linkage document (``{"data": [...]}``) sit.
LINKAGE_POINTER = "/data"

#: A change of one user's organizations: ``(session, actor, user_id, org_ids)``.
UserOrganizationsChange = Callable[[Session, Actor, int, Collection[int]], None]

#: A change of one organization's members: ``(session, actor, org_id, user_ids)``.
MembersChange = Callable[[Session, Actor, int, Collection[int]], None]


def member_ids(session: Session, actor: Actor, organization_id: int) -> tuple[int, ...]:
    """Return the user ids of an organization's members (members only).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the organization is invisible to ``actor``.
        ForbiddenError: ``actor`` is not a member.
    """
    access.require_authenticated(actor)
    access.get_visible(session, actor, Organization, organization_id)
    access.require_member(actor, organization_id)
    return _user_ids(session, organization_id)


def require_may_manage(session: Session, actor: Actor, organization_id: int) -> None:
    """Check that ``actor`` may change an organization's members.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the organization is invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of it.
    """
    access.get_owned(session, actor, Organization, organization_id)


def add(
    session: Session,
    actor: Actor,
    organization_id: int,
    user_ids: Collection[int],
    pointer: str = LINKAGE_POINTER,
) -> None:
    """Add users as INSPECTORs; users who are members already keep their role.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: ``actor`` is not an OWNER of the organization.
        ValidationError: a user does not exist, or ``actor`` neither sees them
            nor found them by e-mail (:func:`lookups.require_addable`).
    """
    access.require_owner(actor, organization_id)
    lookups.require_addable(session, actor, user_ids, pointer)
    _insert(session, ((user_id, organization_id) for user_id in user_ids))


def remove(
    session: Session, actor: Actor, organization_id: int, user_ids: Collection[int]
) -> None:
    """Remove users from an organization; users who are no members are ignored.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: ``actor`` is not an OWNER of the organization.
        ConflictError: the last OWNER would be removed.
    """
    access.require_owner(actor, organization_id)
    losing = list(
        session.scalars(
            select(Membership).where(
                Membership.organization_id == organization_id,
                Membership.user_id.in_(user_ids),
            )
        )
    )
    _delete(session, {organization_id: losing})


def replace(
    session: Session,
    actor: Actor,
    organization_id: int,
    user_ids: Collection[int],
    pointer: str = LINKAGE_POINTER,
) -> None:
    """Make ``user_ids`` the members; remaining members keep their roles.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: ``actor`` is not an OWNER of the organization.
        ValidationError: a new member does not exist, or ``actor`` neither
            sees them nor found them by e-mail.
        ConflictError: the last OWNER would be removed.
    """
    current = set(_user_ids(session, organization_id))
    wanted = set(user_ids)
    add(session, actor, organization_id, wanted - current, pointer)
    remove(session, actor, organization_id, current - wanted)


def organization_ids(session: Session, actor: Actor, user_id: int) -> tuple[int, ...]:
    """Return the organizations of a visible user that ``actor`` belongs to as well.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the user is invisible to ``actor``.
    """
    access.require_may_query(actor, User)
    access.get_visible(session, actor, User, user_id)
    return shared_organization_ids(session, actor, user_id)


def shared_organization_ids(
    session: Session, actor: Actor, user_id: int
) -> tuple[int, ...]:
    """Return the organizations of a user that ``actor`` belongs to as well.

    Checks nothing about the user: for answering a change that ``actor`` was
    allowed to make, after which the user may no longer be visible.
    """
    stmt = access.scoped(
        select(Membership.organization_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.organization_id),
        Membership,
        actor,
    )
    return tuple(session.scalars(stmt))


def join(
    session: Session,
    actor: Actor,
    user_id: int,
    org_ids: Collection[int],
    pointer: str = LINKAGE_POINTER,
) -> None:
    """Make a visible user an INSPECTOR of organizations ``actor`` owns.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the user is invisible to ``actor``.
        ValidationError: an organization does not exist.
        ForbiddenError: ``actor`` is not an OWNER of one of them.
    """
    _require_owner_of_all(session, actor, user_id, org_ids, pointer)
    _insert(session, ((user_id, org_id) for org_id in org_ids))


def leave(
    session: Session,
    actor: Actor,
    user_id: int,
    org_ids: Collection[int],
    pointer: str = LINKAGE_POINTER,
) -> None:
    """Remove a visible user from organizations ``actor`` owns.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the user is invisible to ``actor``.
        ValidationError: an organization does not exist.
        ForbiddenError: ``actor`` is not an OWNER of one of them.
        ConflictError: one of them would lose its last OWNER.
    """
    _require_owner_of_all(session, actor, user_id, org_ids, pointer)
    losing: dict[int, list[Membership]] = defaultdict(list)
    for membership in session.scalars(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organization_id.in_(org_ids)
        )
    ):
        losing[membership.organization_id].append(membership)
    _delete(session, losing)


def replace_organizations(
    session: Session,
    actor: Actor,
    user_id: int,
    org_ids: Collection[int],
    pointer: str = LINKAGE_POINTER,
) -> None:
    """Make ``org_ids`` the user's organizations, as far as ``actor`` knows them.

    Organizations ``actor`` does not belong to are only joined, never left.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the user is invisible to ``actor``.
        ValidationError: an organization does not exist.
        ForbiddenError: ``actor`` is not an OWNER of a changed organization.
        ConflictError: an organization would lose its last OWNER.
    """
    current = set(organization_ids(session, actor, user_id))
    wanted = set(org_ids)
    all_current = set(
        session.scalars(
            select(Membership.organization_id).where(Membership.user_id == user_id)
        )
    )
    join(session, actor, user_id, wanted - all_current, pointer)
    leave(session, actor, user_id, current - wanted, pointer)


def _require_owner_of_all(
    session: Session,
    actor: Actor,
    user_id: int,
    org_ids: Collection[int],
    pointer: str,
) -> None:
    """Check what joining and leaving both need: a visible user, and organizations
    that exist and that ``actor`` owns every one of (in id order, so the first
    refusal is always the same one)."""
    access.require_may_query(actor, User)
    access.get_visible(session, actor, User, user_id)
    _require_existing(session, Organization, org_ids, "Organization", pointer)
    for org_id in sorted(org_ids):
        access.require_owner(actor, org_id)


def _user_ids(session: Session, organization_id: int) -> tuple[int, ...]:
    return tuple(
        session.scalars(
            select(Membership.user_id)
            .where(Membership.organization_id == organization_id)
            .order_by(Membership.user_id)
        )
    )


def _require_existing(
    session: Session,
    model: type[Organization],
    ids: Collection[int],
    type_: str,
    pointer: str,
) -> None:
    if not ids:
        return
    found = set(session.scalars(select(model.id).where(model.id.in_(ids))))
    missing = sorted(set(ids) - found)
    if missing:
        raise ValidationError(
            f'Invalid pk "{missing[0]}" - object does not exist ({type_}).', pointer
        )


def _insert(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    rows = [
        {"user_id": user_id, "organization_id": org_id, "role": Role.INSPECTOR}
        for user_id, org_id in sorted(set(pairs))
    ]
    if rows:
        session.execute(
            insert(Membership)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["user_id", "organization_id"])
        )


def _delete(session: Session, losing: dict[int, list[Membership]]) -> None:
    for org_id, memberships in sorted(losing.items()):
        access.require_owner_remains(session, org_id, memberships)
    ids = [m.id for memberships in losing.values() for m in memberships]
    if ids:
        session.execute(delete(Membership).where(Membership.id.in_(ids)))
