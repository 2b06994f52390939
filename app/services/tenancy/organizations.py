"""Organizations: list, read, create (the creator becomes OWNER), change, delete.

Who may do what is decided in :mod:`app.services.access`; member lists are
changed through :mod:`app.services.tenancy.members`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Membership, Organization, Role
from app.services import access
from app.services.access import Actor
from app.services.tenancy import members
from app.services.tenancy.listing import Listing, Page, fetch_rows
from app.services.tenancy.unset import UNSET, Unset
from app.services.unique import Claim, flush_claimed, require_free

NAME_MAX = 50
NAME_POINTER = "/data/attributes/name"


@dataclass(frozen=True)
class OrganizationView:
    """An organization as ``actor`` may see it.

    Attributes:
        member_ids: ids of its users, or None when the actor may not know them.
    """

    id: int
    name: str
    description: str | None
    member_ids: tuple[int, ...] | None


@dataclass(frozen=True)
class NewOrganization:
    """What it takes to create an organization."""

    name: str
    description: str | None = None
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrganizationChanges:
    """A partial update; :data:`UNSET` fields stay as they are."""

    name: str | Unset = UNSET
    description: str | Unset | None = UNSET
    member_ids: tuple[int, ...] | Unset = UNSET


def list_organizations(
    session: Session, actor: Actor, page: Page
) -> Listing[OrganizationView]:
    """List the organizations ``actor`` may see (members' and public ones) by name."""
    stmt = access.scoped(
        select(Organization).order_by(Organization.name, Organization.id),
        Organization,
        actor,
    )
    rows, total = fetch_rows(session, stmt, page)
    return Listing(tuple(views(session, actor, [r[0] for r in rows])), total)


def get_organization(
    session: Session, actor: Actor, organization_id: int
) -> OrganizationView:
    """Return an organization ``actor`` may see.

    Raises:
        NotFoundError: no such organization, or invisible to ``actor``.
    """
    org = access.get_visible(session, actor, Organization, organization_id)
    return views(session, actor, [org])[0]


def views_by_ids(
    session: Session, actor: Actor, ids: Iterable[int]
) -> list[OrganizationView]:
    """Return the organizations among ``ids`` that ``actor`` may see, by name."""
    rows = access.visible_rows(
        session, actor, Organization, ids, Organization.name, Organization.id
    )
    return views(session, actor, rows)


def create_organization(
    session: Session, actor: Actor, new: NewOrganization
) -> OrganizationView:
    """Create an organization whose OWNER is ``actor``; listed users join as INSPECTORs.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: the name is blank or too long; a listed user does not exist.
        ConflictError: the name is taken.
    """
    access.require_authenticated(actor)
    name = _valid_name(new.name)
    claim = _require_free_name(session, name)
    org = Organization(name=name, description=new.description)
    session.add(org)
    flush_claimed(session, claim)
    if actor.user_id is not None:
        session.add(
            Membership(user_id=actor.user_id, organization_id=org.id, role=Role.OWNER)
        )
        actor = actor.with_role(org.id, Role.OWNER)
    session.flush()
    if new.member_ids:
        members.add(session, actor, org.id, new.member_ids, pointer=_USERS_POINTER)
    return views(session, actor, [org])[0]


def update_organization(
    session: Session, actor: Actor, organization_id: int, changes: OrganizationChanges
) -> OrganizationView:
    """Change an organization's name, description or member set (OWNERs only).

    A new member set keeps the roles of remaining members, adds new users as
    INSPECTORs and removes the others, never the last OWNER.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such organization, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of it.
        ValidationError: the name is blank or too long; a user does not exist.
        ConflictError: the name is taken; no OWNER would remain.
    """
    org = access.get_owned(session, actor, Organization, organization_id)
    claims: list[Claim] = []
    if not isinstance(changes.name, Unset):
        name = _valid_name(changes.name)
        if name != org.name:
            claims.append(_require_free_name(session, name))
        org.name = name
    if not isinstance(changes.description, Unset):
        org.description = changes.description
    flush_claimed(session, *claims)
    if not isinstance(changes.member_ids, Unset):
        members.replace(
            session, actor, org.id, changes.member_ids, pointer=_USERS_POINTER
        )
    return views(session, actor, [org])[0]


def require_changeable(session: Session, actor: Actor, organization_id: int) -> None:
    """Check that ``actor`` may change or delete an organization.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such organization, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of it.
    """
    access.get_owned(session, actor, Organization, organization_id)


def delete_organization(session: Session, actor: Actor, organization_id: int) -> None:
    """Delete an organization with its memberships and inventory (OWNERs only).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such organization, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not an OWNER of it.
    """
    org = access.get_owned(session, actor, Organization, organization_id)
    session.delete(org)
    session.flush()


def views(
    session: Session, actor: Actor, orgs: list[Organization]
) -> list[OrganizationView]:
    """Turn organization rows into views, with the member ids ``actor`` may know.

    One query fetches the members of all of them.
    """
    known = [o.id for o in orgs if access.may_see_members(actor, o.id)]
    member_ids: dict[int, list[int]] = defaultdict(list)
    if known:
        for org_id, user_id in session.execute(
            select(Membership.organization_id, Membership.user_id)
            .where(Membership.organization_id.in_(known))
            .order_by(Membership.user_id)
        ):
            member_ids[org_id].append(user_id)
    return [
        OrganizationView(
            o.id,
            o.name,
            o.description,
            tuple(member_ids[o.id]) if o.id in known else None,
        )
        for o in orgs
    ]


_USERS_POINTER = "/data/relationships/users"


def _valid_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise ValidationError(gettext("This field may not be blank."), NAME_POINTER)
    if len(name) > NAME_MAX:
        raise ValidationError(
            gettext(
                "Ensure this field has no more than %(max)d characters.", max=NAME_MAX
            ),
            NAME_POINTER,
        )
    return name


def _require_free_name(session: Session, name: str) -> Claim:
    return require_free(
        session,
        Organization.id,
        Organization.name == name,
        None,
        Claim(
            "uq_organizations_name",
            gettext("An organization named %(name)s exists already.", name=repr(name)),
            NAME_POINTER,
        ),
    )
