"""Who may see and do what: the one home of every tenancy rule.

Every query that returns tenant data goes through :func:`scoped` (ORM) or binds
:attr:`Actor.member_org_ids` (raw SQL); every write checks :func:`require_owner`.

Visibility (Managair §4.3, with its leaks closed):

* members of an organization see all of its inventory; OWNERs may change it;
* a public installation makes itself, its room, its site and its organization
  readable by anyone (publicity is time-independent);
* nodes, node series, addresses, users, memberships, fidelity, alert rules and
  alerts are members-only
  (anonymous callers get 401 for them, see :func:`require_may_query`);
  an address no site uses yet is visible to the user who created it;
* the address of a site is readable by whoever may see the site (anonymous
  callers through the site only), but only an organization's own addresses (or
  an unused one the actor created) may be given to its sites
  (:func:`get_usable_address`);
* a user sees the users who share an organization with them, and themselves, and
  may find any active user by their exact e-mail address (id and username only);
  an OWNER adds to an organization only users they see or found so a moment ago
  (:func:`require_addable_users`), so user ids cannot be walked;
* who belongs to an organization (its users, memberships, member ids) is known
  only to its members, even when the organization itself is public;
* an organization keeps at least one OWNER (:func:`require_owner_remains`);
  moving a membership needs OWNER rights on both organizations.

Staff users have no extra rights here; they administer the back office. There,
only superusers may grant or revoke staff or superuser status, or change another
staff or superuser account (:func:`require_account_editor`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from flask_babel import gettext

from sqlalchemy import ColumnElement, Select, exists, false, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from app.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnauthenticatedError,
    ValidationError,
)
from app.models import (
    Address,
    Alert,
    AlertRule,
    AlertWebhook,
    Installation,
    Membership,
    Node,
    NodeFidelity,
    Organization,
    Role,
    Room,
    Site,
    User,
)

T = TypeVar("T")
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Actor:
    """The caller of a request or job: a user with their roles, anonymous, or SYSTEM."""

    user_id: int | None = None
    is_staff: bool = False
    is_system: bool = False
    is_superuser: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        """Whether the caller proved an identity (SYSTEM counts)."""
        return self.user_id is not None or self.is_system

    @property
    def member_org_ids(self) -> tuple[int, ...]:
        """Organizations the actor belongs to, in any role."""
        return tuple(sorted(self.roles))

    def is_member(self, organization_id: int) -> bool:
        """Whether the actor may read everything of ``organization_id``."""
        return self.is_system or organization_id in self.roles

    def is_owner(self, organization_id: int) -> bool:
        """Whether the actor may change the inventory of ``organization_id``."""
        return self.is_system or self.roles.get(organization_id) == Role.OWNER

    def with_role(self, organization_id: int, role: Role) -> Actor:
        """Return this actor after gaining ``role`` in ``organization_id``."""
        return replace(self, roles={**self.roles, organization_id: role})


ANONYMOUS = Actor()
SYSTEM = Actor(is_system=True)
#: The authority of staff in the back office: every tenant's rights, no membership.
BACK_OFFICE = Actor(is_staff=True, is_system=True)


def actor_for(session: Session, user: User) -> Actor:
    """Build the actor of ``user`` with their roles (one query)."""
    rows = session.execute(
        select(Membership.organization_id, Membership.role).where(
            Membership.user_id == user.id
        )
    ).all()
    return _actor(user, {org_id: role for org_id, role in rows})


def roles_column(user_id: Any) -> Any:
    """The roles of the user ``user_id`` (a column) as one JSON object
    ``{"<organization id>": "<role>"}``, NULL when none.

    For a statement that reads the user anyway (an API key's): read with it, the
    roles cost no statement of their own (see :func:`actor_with_roles`).
    """
    return (
        select(func.json_object_agg(Membership.organization_id, Membership.role))
        .where(Membership.user_id == user_id)
        .scalar_subquery()
    )


def actor_with_roles(user: User, roles: Mapping[str, str] | None) -> Actor:
    """Build the actor of ``user`` from their :func:`roles_column`."""
    return _actor(user, {int(org): Role(role) for org, role in (roles or {}).items()})


def _actor(user: User, roles: Mapping[int, Role]) -> Actor:
    return Actor(
        user_id=user.id,
        is_staff=user.is_staff or user.is_superuser,
        is_superuser=user.is_superuser,
        roles=roles,
    )


# -- visibility ------------------------------------------------------------------


def _public_installation_in_room(room_id: Any) -> ColumnElement[bool]:
    return exists().where(Installation.room_id == room_id, Installation.is_public)


def _member(column: Any, actor: Actor) -> ColumnElement[bool]:
    ids = actor.member_org_ids
    return column.in_(ids) if ids else false()


def _organizations(actor: Actor) -> ColumnElement[bool]:
    public = exists().where(
        Node.owner_id == Organization.id,
        Installation.node_id == Node.id,
        Installation.is_public,
    )
    return _member(Organization.id, actor) | public


def _sites(actor: Actor) -> ColumnElement[bool]:
    public = exists().where(
        Room.site_id == Site.id, Installation.room_id == Room.id, Installation.is_public
    )
    return _member(Site.operator_id, actor) | public


def _rooms(actor: Actor) -> ColumnElement[bool]:
    own = Room.site_id.in_(select(Site.id).where(_member(Site.operator_id, actor)))
    return own | _public_installation_in_room(Room.id)


def _installations(actor: Actor) -> ColumnElement[bool]:
    own = Installation.node_id.in_(select(Node.id).where(_member(Node.owner_id, actor)))
    return Installation.is_public | own


def _addresses(actor: Actor) -> ColumnElement[bool]:
    # Whoever may see a site may see where it is (Managair showed the address of
    # every site it showed, also anonymously; como-ui's embed needs it).
    shown = exists().where(Site.address_id == Address.id, _sites(actor))
    return shown | _unused_own_address(actor)


def _usable_addresses(actor: Actor) -> ColumnElement[bool]:
    used = exists().where(
        Site.address_id == Address.id, _member(Site.operator_id, actor)
    )
    return used | _unused_own_address(actor)


def _unused_own_address(actor: Actor) -> ColumnElement[bool]:
    if actor.user_id is None:
        return false()
    return (Address.created_by_id == actor.user_id) & ~exists().where(
        Site.address_id == Address.id
    )


def _users(actor: Actor) -> ColumnElement[bool]:
    if actor.user_id is None:
        return false()
    shared = User.id.in_(
        select(Membership.user_id).where(_member(Membership.organization_id, actor))
    )
    return (User.id == actor.user_id) | shared


def _fidelity(actor: Actor) -> ColumnElement[bool]:
    return NodeFidelity.node_id.in_(
        select(Node.id).where(_member(Node.owner_id, actor))
    )


def _alerts(actor: Actor) -> ColumnElement[bool]:
    return Alert.rule_id.in_(
        select(AlertRule.id).where(_member(AlertRule.organization_id, actor))
    )


def _alert_webhooks(actor: Actor) -> ColumnElement[bool]:
    return _member(AlertWebhook.organization_id, actor)


_VISIBILITY = {
    Organization: _organizations,
    Site: _sites,
    Room: _rooms,
    Installation: _installations,
    Node: lambda actor: _member(Node.owner_id, actor),
    Address: _addresses,
    User: _users,
    Membership: lambda actor: _member(Membership.organization_id, actor),
    NodeFidelity: _fidelity,
    # Alert rules and alerts are the organization's: members read, OWNERs write.
    AlertRule: lambda actor: _member(AlertRule.organization_id, actor),
    Alert: _alerts,
    AlertWebhook: _alert_webhooks,
}


def visible(model: type[Any], actor: Actor) -> ColumnElement[bool]:
    """Return the SQL condition under which ``actor`` may read rows of ``model``.

    Raises:
        KeyError: ``model`` holds no tenant data (catalogue models are public).
    """
    if actor.is_system:
        return true()
    return _VISIBILITY[model](actor)


def scoped(stmt: S, model: type[Any], actor: Actor) -> S:
    """Restrict ``stmt`` to the rows of ``model`` that ``actor`` may read."""
    return stmt.where(visible(model, actor))


def get_visible(
    session: Session,
    actor: Actor,
    model: type[T],
    ident: Any,
    *options: ORMOption,
    for_update: bool = False,
    for_key_share: bool = False,
) -> T:
    """Load one row the actor may read (``options``: loader options, such as a
    related row to read in the same statement).

    With ``for_update`` the row is locked until the transaction ends (``FOR NO KEY
    UPDATE``, the lock its ``UPDATE`` takes anyway) and read as committed after
    the wait: a concurrent change or delete of the row is then seen, not
    overwritten or hit by a write that finds no row. ``for_key_share`` takes
    ``FOR KEY SHARE`` instead, the lock a foreign key to the row takes: the row
    cannot be deleted until the transaction ends, and a delete already under way
    is waited for and seen.

    Raises:
        NotFoundError: the row does not exist or is invisible to the actor.
    """
    key = getattr(model, "id", None) or getattr(model, "node_id")  # noqa: B009
    stmt = scoped(select(model).options(*options).where(key == ident), model, actor)
    if for_update or for_key_share:
        stmt = stmt.with_for_update(
            of=model, key_share=True, read=for_key_share and not for_update
        ).execution_options(populate_existing=True)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFoundError(
            gettext(
                "No %(kind)s with id %(id)s.", kind=model.__name__.lower(), id=ident
            )
        )
    return row


def visible_rows(
    session: Session,
    actor: Actor,
    model: type[T],
    ids: Iterable[Any],
    *order_by: Any,
) -> list[T]:
    """Return those rows of ``model`` with an id in ``ids`` the actor may read.

    Ordered by ``order_by`` in the database (its collation, as the lists), by id
    when none is given; the one way to resolve the ids of an ``include``.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return []
    key = getattr(model, "id")  # noqa: B009
    stmt = scoped(select(model).where(key.in_(wanted)), model, actor)
    return list(session.scalars(stmt.order_by(*(order_by or (key,)))))


# -- writes ----------------------------------------------------------------------


def require_authenticated(actor: Actor) -> None:
    """Raises:
    UnauthenticatedError: the caller gave no valid credentials.
    """
    if not actor.is_authenticated:
        raise UnauthenticatedError(
            gettext("Authentication credentials were not provided.")
        )


def require_owner(actor: Actor, organization_id: int) -> None:
    """Raises:
    UnauthenticatedError: anonymous caller.
    ForbiddenError: the actor is not an OWNER of ``organization_id``.
    """
    require_authenticated(actor)
    if not actor.is_owner(organization_id):
        raise ForbiddenError(
            gettext("You must be an owner of the organization to do this.")
        )


def require_owner_somewhere(actor: Actor) -> None:
    """Refuse a write before its body is read when the caller may write nowhere.

    A create whose permission depends on an organization named in the body
    cannot be decided before the body is read; a caller who owns no
    organization is refused in any case, so that a malformed body does not
    earn them a 400 that an OWNER's would get (authorization before validation).

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is an OWNER of no organization.
    """
    require_authenticated(actor)
    if not (actor.is_system or Role.OWNER in actor.roles.values()):
        raise ForbiddenError(
            gettext("You must be an owner of the organization to do this.")
        )


def require_staff(actor: Actor) -> None:
    """Raises:
    UnauthenticatedError: anonymous caller.
    ForbiddenError: the actor is not staff (catalogue writes, back office).
    """
    require_authenticated(actor)
    if not (actor.is_staff or actor.is_system):
        raise ForbiddenError(gettext("Only staff may change the device catalogue."))


def back_office(actor: Actor) -> Actor:
    """Return the authority a staff user administers the back office with.

    Staff have no extra rights in the API; in the back office they act for
    every organization, through the same services (and so the same rules) as
    the API. The returned actor belongs to no organization, so creating an
    organization does not make the staff user its OWNER.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not staff.
    """
    require_staff(actor)
    return BACK_OFFICE


#: The account flags only superusers may change, with their JSON pointers.
PRIVILEGE_POINTERS = {
    "is_superuser": "/data/attributes/is_superuser",
    "is_staff": "/data/attributes/is_staff",
}


def require_account_editor(actor: Actor, user: User) -> None:
    """Refuse a change of ``user``'s account that ``actor`` may not make.

    Staff administer ordinary accounts and their own; the accounts of other staff
    and superusers are the superusers' alone, or any staff user could take over a
    superuser (set their password, then log in as them).

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not staff, or not a superuser and ``user`` is
            another staff user or a superuser.
    """
    require_staff(actor)
    privileged = user.is_staff or user.is_superuser
    if privileged and user.id != actor.user_id and not actor.is_superuser:
        raise ForbiddenError(
            gettext("Only superusers may change the accounts of staff users.")
        )


def require_privileges_kept(
    actor: Actor, before: Mapping[str, bool], after: Mapping[str, bool]
) -> None:
    """Refuse a grant or revocation of staff or superuser status by a non-superuser.

    Args:
        actor: the caller.
        before: the account's flags (:data:`PRIVILEGE_POINTERS`) now (all false
            for a new account).
        after: the flags the change would store.

    Raises:
        ForbiddenError: a flag changes and the actor is not a superuser (at the
            flag's pointer).
    """
    if actor.is_superuser:
        return
    for name, pointer in PRIVILEGE_POINTERS.items():
        if bool(before.get(name)) != bool(after.get(name)):
            raise ForbiddenError(
                gettext("Only superusers may grant or revoke staff status."), pointer
            )


def owning_organization_id(obj: object) -> int:
    """Return the organization whose OWNERs may change ``obj``.

    Raises:
        TypeError: ``obj`` is not tenant data.
    """
    match obj:
        case Organization():
            return obj.id
        case Membership():
            return obj.organization_id
        case Site():
            return obj.operator_id
        case Room():
            return obj.site.operator_id
        case Installation():
            return obj.room.site.operator_id
        case Node():
            return obj.owner_id
        case AlertRule() | AlertWebhook():
            return obj.organization_id
    raise TypeError(f"{type(obj).__name__} has no owning organization")


# -- tenancy ---------------------------------------------------------------------

#: Resources anonymous callers may not even list: they get 401, not an empty list.
MEMBERS_ONLY: frozenset[type[Any]] = frozenset(
    {Node, Address, User, Membership, NodeFidelity, AlertRule, Alert, AlertWebhook}
)


def require_may_query(actor: Actor, model: type[Any]) -> None:
    """Raises:
    UnauthenticatedError: ``model`` is members-only and the caller is anonymous.
    """
    if model in MEMBERS_ONLY:
        require_authenticated(actor)


def get_of_member(session: Session, actor: Actor, model: type[T], ident: Any) -> T:
    """Load a row of one of the actor's own organizations (dashboard pages).

    A public row of another organization is readable, but its members' pages are
    not the actor's: it is reported like a missing one (its public page shows it).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such row, invisible, or of another organization.
    """
    require_authenticated(actor)
    row = get_visible(session, actor, model, ident)
    if not actor.is_member(owning_organization_id(row)):
        raise NotFoundError(gettext("Not found."))
    return row


def may_see_members(actor: Actor, organization_id: int) -> bool:
    """Whether ``actor`` may learn who belongs to ``organization_id``."""
    return actor.is_member(organization_id)


def require_member(actor: Actor, organization_id: int) -> None:
    """Raises:
    UnauthenticatedError: anonymous caller.
    ForbiddenError: the actor is not a member of ``organization_id``.
    """
    require_authenticated(actor)
    if not may_see_members(actor, organization_id):
        raise ForbiddenError(
            gettext("Only members may see who belongs to the organization.")
        )


def members_of(organization_id: int, actor: Actor) -> ColumnElement[bool]:
    """Return the condition for users of ``organization_id`` that ``actor`` may know."""
    if not may_see_members(actor, organization_id):
        return false()
    return User.id.in_(
        select(Membership.user_id).where(Membership.organization_id == organization_id)
    )


def findable_by_email(actor: Actor, email: str) -> ColumnElement[bool]:
    """Return the condition for users ``actor`` may find by exact e-mail address.

    The dashboards add a member by looking them up by e-mail first; such a
    lookup reveals the id and username only. Case is ignored; inactive users
    are not found; anonymous callers find nobody.
    """
    address = email.strip()
    if not actor.is_authenticated or "@" not in address:
        return false()
    return (func.lower(User.email) == address.lower()) & User.is_active


def require_addable_users(
    session: Session,
    actor: Actor,
    user_ids: Collection[int],
    found_by_email: Collection[int],
    pointer: str,
) -> None:
    """Refuse user ids that a membership write names and ``actor`` may not add.

    ``actor`` may add the users they see (who share an organization with them,
    and themselves) and the active users in ``found_by_email``: those they
    found by their exact e-mail address a moment ago
    (:mod:`app.services.tenancy.lookups`). Any other id, a stranger's or
    nobody's, gets the same answer: otherwise an OWNER could walk the ids, pull
    strangers into their organization and read their e-mail addresses and names.

    Raises:
        ValidationError: such an id (the lowest; 400 at ``pointer``).
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    known = visible(User, actor)
    if found_by_email:
        known = known | (User.id.in_(sorted(set(found_by_email))) & User.is_active)
    addable = set(session.scalars(select(User.id).where(User.id.in_(wanted), known)))
    refused = [user_id for user_id in wanted if user_id not in addable]
    if refused:
        raise ValidationError(
            gettext(
                "No user with id %(pk)s: the user does not exist or is unknown to "
                "you. Find people by their exact e-mail address first "
                "(filter[search] of /api/v1/users/), then add them.",
                pk=refused[0],
            ),
            pointer,
        )


def require_membership_editor(
    actor: Actor, membership: Membership, *, preference_only: bool
) -> None:
    """Check that ``actor`` may change ``membership``.

    OWNERs of its organization change anything; the member themself may set
    their own preferences (whether alerts are mailed to them), nothing else.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: neither an OWNER nor, for a preference, the member.
    """
    require_authenticated(actor)
    if preference_only and membership.user_id == actor.user_id:
        return
    require_owner(actor, membership.organization_id)


def require_may_move_membership(
    actor: Actor, membership: Membership, organization_id: int
) -> None:
    """Raises:
    UnauthenticatedError: anonymous caller.
    ForbiddenError: the actor is not an OWNER of both the membership's current
        organization and ``organization_id``.
    """
    require_owner(actor, membership.organization_id)
    require_owner(actor, organization_id)


def owner_required() -> str:
    """Say that an organization keeps at least one OWNER (in the request's language)."""
    return str(
        gettext(
            "An organization must keep at least one owner: make another member an "
            "owner first."
        )
    )


def require_owner_remains(
    session: Session,
    organization_id: int,
    losing: Iterable[Membership],
    pointer: str | None = None,
) -> None:
    """Refuse a change that would leave ``organization_id`` without an OWNER.

    Takes a row lock on the organization first, so that two owners demoting
    each other at the same time cannot both succeed.

    Args:
        session: the session of the change.
        organization_id: the organization that loses memberships.
        losing: its memberships that are about to be deleted, demoted or moved
            away; only OWNER memberships among them count.
        pointer: where the offending value sits in the request, if anywhere.

    Raises:
        ConflictError: no OWNER would remain (409).
    """
    owners = {m.id for m in losing if m.role == Role.OWNER}
    if not owners:
        return
    lock_organization(session, organization_id)
    remaining = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.organization_id == organization_id,
            Membership.role == Role.OWNER,
            Membership.id.not_in(owners),
        )
    )
    if not remaining:
        raise ConflictError(owner_required(), pointer)


def lock_organization(session: Session, organization_id: int) -> None:
    """Lock an organization's row until the transaction ends.

    Changes of its member set take this lock first, so they take turns: the
    count of its OWNERs cannot change between a check and the write.
    """
    session.execute(
        select(Organization.id)
        .where(Organization.id == organization_id)
        .with_for_update()
    )


def owner_count(session: Session, organization_id: int) -> int:
    """Return how many OWNER memberships ``organization_id`` has (flushed state)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.organization_id == organization_id,
                Membership.role == Role.OWNER,
            )
        )
        or 0
    )


def require_owner_kept(
    session: Session, organization_id: int, owners_before: int, pointer: str | None
) -> None:
    """Refuse a flushed change of many memberships that removed the last OWNER.

    The back office edits an organization's memberships in one form; this is
    :func:`require_owner_remains` for that case, checked after the flush.

    Raises:
        ConflictError: the organization had an OWNER and has none now (409).
    """
    if owners_before and not owner_count(session, organization_id):
        raise ConflictError(owner_required(), pointer)


def get_owned(session: Session, actor: Actor, model: type[T], ident: Any) -> T:
    """Load one row the actor may change: 401, then 404, then 403.

    The row stays locked until the transaction ends, so two requests changing or
    deleting it take turns: the second sees the first's outcome (a deleted row
    is a 404, not a write that finds nothing).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: the row does not exist or is invisible to the actor.
        ForbiddenError: the actor sees it but is not an OWNER of its organization.
    """
    require_authenticated(actor)
    row = get_visible(session, actor, model, ident, for_update=True)
    require_owner(actor, owning_organization_id(row))
    return row


# -- inventory references and writes -----------------------------------------------


def get_referenced(
    session: Session, actor: Actor, model: type[T], ident: Any, pointer: str
) -> T:
    """Load a row that a request body names in a relationship.

    A row the actor cannot see is reported exactly like a missing one, so request
    bodies cannot probe other tenants' ids. The row is locked against deletion
    until the transaction ends (the lock the new foreign key takes anyway), so a
    delete racing the write is either waited for and reported here, or waits.

    Raises:
        ValidationError: the row does not exist or is invisible (400 at ``pointer``).
    """
    try:
        return get_visible(session, actor, model, ident, for_key_share=True)
    except NotFoundError:
        raise ValidationError(
            gettext('Invalid pk "%(pk)s" - object does not exist.', pk=ident), pointer
        ) from None


def get_usable_address(
    session: Session, actor: Actor, address_id: int, pointer: str
) -> Address:
    """Load an address a request body gives to a site.

    Only addresses of the actor's organizations' sites, or unused ones the actor
    created, qualify: sharing a public site's address with another
    organization's site would take its editing away from its owners (see
    :func:`require_address_editor`).

    Raises:
        ValidationError: no such address, or not usable (400 at ``pointer``).
    """
    stmt = select(Address).where(Address.id == address_id)
    if not actor.is_system:
        stmt = stmt.where(_usable_addresses(actor))
    address = session.scalars(stmt).first()
    if address is None:
        raise ValidationError(
            gettext('Invalid pk "%(pk)s" - object does not exist.', pk=address_id),
            pointer,
        )
    return address


def get_owned_reference(
    session: Session, actor: Actor, model: type[T], ident: Any, pointer: str
) -> T:
    """Load the row a request body names as the home of a change: 400, then 403.

    The organization, site or room a new object goes into decides whether the
    caller may create it, so a create reads this reference (and checks it)
    before the rest of its body.

    Raises:
        ValidationError: ``ident`` is None (not sent), or the row does not exist
            or is invisible (400 at ``pointer``).
        ForbiddenError: the actor is not an OWNER of the row's organization.
    """
    if ident is None:
        raise ValidationError(gettext("This field is required."), pointer)
    row = get_referenced(session, actor, model, ident, pointer)
    require_owner_at(actor, owning_organization_id(row), pointer)
    return row


def require_owner_at(actor: Actor, organization_id: int, pointer: str) -> None:
    """Like :func:`require_owner`, pointing at the relationship that names the org.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not an OWNER of ``organization_id``.
    """
    require_authenticated(actor)
    if not actor.is_owner(organization_id):
        raise ForbiddenError(
            gettext("You must be an owner of the organization to do this."), pointer
        )


def require_address_editor(session: Session, actor: Actor, address: Address) -> None:
    """Check that ``actor`` may change or delete a (visible) address.

    An address in use belongs to the operators of its sites: the actor must be an
    OWNER of every one of them. An unused address belongs to its creator.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not allowed.
    """
    require_authenticated(actor)
    if actor.is_system:
        return
    operators = set(
        session.scalars(
            select(Site.operator_id).where(Site.address_id == address.id).distinct()
        )
    )
    if operators:
        allowed = all(actor.is_owner(org_id) for org_id in operators)
    else:
        allowed = address.created_by_id == actor.user_id
    if not allowed:
        raise ForbiddenError(
            gettext(
                "You must be an owner of every organization whose sites use this "
                "address."
            )
        )


def refuse_move_with_installations(
    session: Session, condition: ColumnElement[bool], pointer: str
) -> None:
    """Refuse to move inventory to another organization while installations tie it.

    A node and the room it is installed in always belong to the same
    organization; moving one side alone would break that.

    Raises:
        ConflictError: an installation matches ``condition`` (409 at ``pointer``).
    """
    inst = session.scalars(select(Installation).where(condition).limit(1)).first()
    if inst is not None:
        raise ConflictError(
            gettext(
                "Cannot move this to another organization: installation %(id)s "
                "ties it to its current one. Delete the installations first.",
                id=inst.id,
            ),
            pointer,
        )
