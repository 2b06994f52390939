"""Memberships: a user's role (OWNER or INSPECTOR) in one organization.

Members see the memberships of their organizations; OWNERs create, change and
delete them, for users they see or found by exact e-mail address
(:mod:`app.services.tenancy.lookups`). Fixed from Managair: moving a membership to another organization
needs OWNER rights on both, no change removes an organization's last OWNER,
and duplicates are a 409 instead of a 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Membership, Organization, Role, User
from app.services import access
from app.services.access import Actor
from app.services.tenancy import lookups
from app.services.tenancy.listing import Listing, Page, fetch_rows
from app.services.tenancy.unset import UNSET, Unset
from app.services.unique import Claim, flush_claimed, require_free

ROLE_POINTER = "/data/attributes/role"
USER_POINTER = "/data/relationships/user"
ORGANIZATION_POINTER = "/data/relationships/organization"


@dataclass(frozen=True)
class MembershipView:
    """A membership with the names the API shows next to it."""

    id: int
    role: Role
    user_id: int
    user_name: str
    organization_id: int
    organization_name: str
    notify_alerts: bool = False


@dataclass(frozen=True)
class MembershipFilter:
    """``filter[organization]``, ``filter[username]`` (exact), ``filter[user]``."""

    organization_id: int | None = None
    username: str | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class NewMembership:
    """What it takes to add a user to an organization."""

    user_id: int
    organization_id: int
    role: Role = Role.INSPECTOR


@dataclass(frozen=True)
class MembershipChanges:
    """A partial update; :data:`UNSET` fields stay as they are."""

    role: Role | Unset = UNSET
    user_id: int | Unset = UNSET
    organization_id: int | Unset = UNSET
    notify_alerts: bool | Unset = UNSET

    @property
    def preference_only(self) -> bool:
        """Whether only the member's own preference changes (they may do that)."""
        return (self.role, self.user_id, self.organization_id) == (UNSET,) * 3


def list_memberships(
    session: Session, actor: Actor, filters: MembershipFilter, page: Page
) -> Listing[MembershipView]:
    """List the memberships of ``actor``'s organizations, by role and organization.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_may_query(actor, Membership)
    stmt = access.scoped(_views(), Membership, actor)
    if filters.organization_id is not None:
        stmt = stmt.where(Membership.organization_id == filters.organization_id)
    if filters.username is not None:
        stmt = stmt.where(User.username == filters.username)
    if filters.user_id is not None:
        stmt = stmt.where(Membership.user_id == filters.user_id)
    rows, total = fetch_rows(session, stmt, page)
    return Listing(tuple(_view(row) for row in rows), total)


def organization_memberships(
    session: Session, actor: Actor, organization_id: int, page: Page
) -> Listing[MembershipView]:
    """List the memberships of a visible organization that ``actor`` may see.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the organization is invisible to ``actor``.
    """
    access.require_may_query(actor, Membership)
    access.get_visible(session, actor, Organization, organization_id)
    return list_memberships(
        session, actor, MembershipFilter(organization_id=organization_id), page
    )


def user_memberships(
    session: Session, actor: Actor, user_id: int
) -> tuple[MembershipView, ...]:
    """List a visible user's memberships that ``actor`` may see.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the user is invisible to ``actor``.
    """
    access.require_may_query(actor, User)
    access.get_visible(session, actor, User, user_id)
    return list_memberships(
        session, actor, MembershipFilter(user_id=user_id), Page()
    ).items


def get_membership(session: Session, actor: Actor, membership_id: int) -> Membership:
    """Return a membership ``actor`` may see.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such membership, or invisible to ``actor``.
    """
    access.require_may_query(actor, Membership)
    return access.get_visible(session, actor, Membership, membership_id)


def views_by_ids(
    session: Session, actor: Actor, ids: Iterable[int]
) -> list[MembershipView]:
    """Return the memberships among ``ids`` that ``actor`` may see."""
    stmt = access.scoped(_views(), Membership, actor)
    rows = session.execute(stmt.where(Membership.id.in_(sorted(set(ids))))).all()
    return [_view(row) for row in rows]


def view(session: Session, actor: Actor, membership_id: int) -> MembershipView:
    """Return the view of a membership ``actor`` may see.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such membership, or invisible to ``actor``.
    """
    get_membership(session, actor, membership_id)
    return views_by_ids(session, actor, [membership_id])[0]


def create_membership(
    session: Session, actor: Actor, new: NewMembership
) -> MembershipView:
    """Add a user to an organization ``actor`` owns.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: the organization does not exist, or the user does
            not exist or ``actor`` neither sees them nor found them by e-mail
            (:func:`lookups.require_addable`).
        ForbiddenError: ``actor`` is not an OWNER of the organization.
        ConflictError: the user is a member already.
    """
    require_may_add(session, actor, new.organization_id)
    lookups.require_addable(session, actor, [new.user_id], USER_POINTER)
    member = _require_not_member(session, new.user_id, new.organization_id)
    membership = Membership(
        user_id=new.user_id, organization_id=new.organization_id, role=new.role
    )
    session.add(membership)
    flush_claimed(session, member)
    return view(session, actor, membership.id)


def require_may_add(session: Session, actor: Actor, organization_id: int) -> None:
    """Check that ``actor`` may add members to ``organization_id``.

    A create is authorized by the organization its body names, before the
    rest of the body is validated.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: the organization does not exist.
        ForbiddenError: ``actor`` is not an OWNER of it.
    """
    access.require_authenticated(actor)
    _require(session, Organization, organization_id, ORGANIZATION_POINTER)
    access.require_owner(actor, organization_id)


def update_membership(
    session: Session, actor: Actor, membership_id: int, changes: MembershipChanges
) -> MembershipView:
    """Change a membership's role, user or organization (OWNERs only).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such membership, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of its organization, or of
            the organization it is moved to.
        ValidationError: the new organization does not exist, or the new
            user does not exist or ``actor`` neither sees them nor found them
            by e-mail.
        ConflictError: the organization would lose its last OWNER, or the
            user is a member of the target organization already.
    """
    membership = _locked(
        session, actor, membership_id, preference_only=changes.preference_only
    )
    if not isinstance(changes.notify_alerts, Unset):
        membership.notify_alerts = changes.notify_alerts
    if changes.preference_only:
        session.flush()
        return view(session, actor, membership.id)
    role = membership.role if isinstance(changes.role, Unset) else changes.role
    user_id = _changed(changes.user_id, membership.user_id)
    org_id = _changed(changes.organization_id, membership.organization_id)
    if user_id != membership.user_id:
        lookups.require_addable(session, actor, [user_id], USER_POINTER)
    if org_id != membership.organization_id:
        _require(session, Organization, org_id, ORGANIZATION_POINTER)
        access.require_may_move_membership(actor, membership, org_id)
    claims = []
    if (user_id, org_id) != (membership.user_id, membership.organization_id):
        claims.append(_require_not_member(session, user_id, org_id))
    if role != Role.OWNER or org_id != membership.organization_id:
        access.require_owner_remains(
            session, membership.organization_id, [membership], _pointer(changes)
        )
    membership.role, membership.user_id, membership.organization_id = (
        role,
        user_id,
        org_id,
    )
    flush_claimed(session, *claims)
    # Answer with the authority the change was checked against: handing one's
    # own membership to another user leaves the caller outside the organization.
    return view(session, actor.with_role(org_id, Role.OWNER), membership.id)


def require_changeable(
    session: Session, actor: Actor, membership_id: int, *, preference_only: bool = False
) -> Membership:
    """Check that ``actor`` may change or delete a membership.

    Args:
        preference_only: the change touches only the member's preferences,
            which the member may set themselves.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such membership, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of its organization (nor,
            for a preference, the member).
    """
    membership = get_membership(session, actor, membership_id)
    access.require_membership_editor(actor, membership, preference_only=preference_only)
    return membership


def delete_membership(session: Session, actor: Actor, membership_id: int) -> None:
    """Remove a membership (OWNERs only; INSPECTORs cannot leave on their own).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such membership, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of its organization.
        ConflictError: it is the organization's last OWNER membership.
    """
    membership = _locked(session, actor, membership_id, preference_only=False)
    access.require_owner_remains(session, membership.organization_id, [membership])
    session.delete(membership)
    session.flush()


def _locked(
    session: Session, actor: Actor, membership_id: int, *, preference_only: bool
) -> Membership:
    """Load a membership to change or delete, locked until the transaction ends.

    A change of role, user or organization locks the organization first, as
    every change of its member set does (:func:`access.lock_organization`), then
    the membership; a member's own preference locks only the membership. Read
    as committed after the wait: a membership a concurrent request deleted is a
    404, and the last-OWNER check sees the role it has now.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such membership, or invisible to ``actor``.
        ForbiddenError: ``actor`` may not change it (see :func:`require_changeable`).
    """
    membership = require_changeable(
        session, actor, membership_id, preference_only=preference_only
    )
    if not preference_only:
        access.lock_organization(session, membership.organization_id)
    membership = access.get_visible(
        session, actor, Membership, membership_id, for_update=True
    )
    access.require_membership_editor(actor, membership, preference_only=preference_only)
    return membership


def _views() -> Select[int, Role, int, str, int, str, bool]:
    return (
        select(
            Membership.id,
            Membership.role,
            Membership.user_id,
            User.username,
            Membership.organization_id,
            Organization.name,
            Membership.notify_alerts,
        )
        .join(User, User.id == Membership.user_id)
        .join(Organization, Organization.id == Membership.organization_id)
        .order_by(Membership.role, Organization.name, Membership.id)
    )


def _view(row: tuple[int, Role, int, str, int, str, bool]) -> MembershipView:
    return MembershipView(*row)


def _changed(value: int | Unset, current: int) -> int:
    return current if isinstance(value, Unset) else value


def _pointer(changes: MembershipChanges) -> str | None:
    if not isinstance(changes.organization_id, Unset):
        return ORGANIZATION_POINTER
    return ROLE_POINTER


def _require(
    session: Session, model: type[Organization], ident: int, pointer: str
) -> None:
    if session.get(model, ident) is None:
        raise ValidationError(f'Invalid pk "{ident}" - object does not exist.', pointer)


def _require_not_member(session: Session, user_id: int, organization_id: int) -> Claim:
    return require_free(
        session,
        Membership.id,
        (Membership.user_id == user_id)
        & (Membership.organization_id == organization_id),
        None,
        Claim(
            "uq_memberships_user_id_organization_id",
            gettext("This user is a member of the organization already."),
            USER_POINTER,
        ),
    )
