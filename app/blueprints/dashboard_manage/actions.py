"""The writes behind the management forms: form values in, the API's services called.

Each action validates with the API's attribute schemas, calls the service the
API calls and returns the message to flash. Errors are the services' domain
errors, with the API's JSON pointers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask_babel import gettext

from sqlalchemy.orm import Session

from app.admin.forms import attributes, plain
from app.blueprints.dashboard_manage.forms import (
    InstallForm,
    InviteForm,
    NodeForm,
    RoleForm,
    RoomForm,
    SiteForm,
)
from app.blueprints.installations.schemas import (
    InstallationAttributesSchema,
    with_default_end,
)
from app.blueprints.nodes.schemas import NodeAttributesSchema
from app.blueprints.rooms.schemas import RoomAttributesSchema
from app.blueprints.sites.schemas import AddressAttributesSchema, SiteAttributesSchema
from app.errors import ErrorDetail, NotFoundError, ValidationError
from app.jsonapi.attributes import load_attributes
from app.models import Installation, Membership, Role
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor
from app.services.inventory import addresses, installations, nodes, rooms, sites
from app.services.inventory.installation_rules import FROM_POINTER, TO_POINTER
from app.services.series.epoch import MAX_MANAGAIR_EPOCH_S, from_epoch, to_epoch
from app.services.tenancy import invitations, memberships

SITE, ADDRESS = SiteAttributesSchema(), AddressAttributesSchema()
ROOM, NODE = RoomAttributesSchema(), NodeAttributesSchema()
INSTALLATION = InstallationAttributesSchema()
#: How the install form's start is written in messages (as the form shows it).
_SHOWN = "%Y-%m-%d %H:%M"
T = TypeVar("T", Installation, Membership)


def _(text: str, **values: Any) -> str:
    """Translate ``text`` into the request's language (``gettext``, typed)."""
    return str(gettext(text, **values))


def _of_organization(
    session: Session, actor: Actor, model: type[T], ident: int, org_id: int
) -> T:
    """Load a row of a page's table: it must belong to the page's organization.

    A row form posts to its organization's URL; a row of another organization
    (even one the caller owns too) is not on that page, so it is not found there.

    Raises:
        NotFoundError: no such row visible to ``actor`` in ``org_id``.
    """
    row = access.get_visible(session, actor, model, ident)
    if access.owning_organization_id(row) != org_id:
        if model is Installation:
            detail = _("This organization has no installation %(id)s.", id=ident)
        else:
            detail = _("This organization has no membership %(id)s.", id=ident)
        raise NotFoundError(detail)
    return row


def _all_valid(*loaders: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    """Run every loader; raise one error with the problems of all of them."""
    results: list[dict[str, Any]] = []
    problems: list[ErrorDetail] = []
    for load in loaders:
        try:
            results.append(load())
        except ValidationError as exc:
            problems.extend(exc.details())
    if problems:
        first, *rest = problems
        raise ValidationError(first.detail, first.pointer, errors=rest)
    return results


def add_site(session: Session, actor: Actor, org_id: int, form: SiteForm) -> str:
    """Create an address and a site that uses it (``POST addresses/``, ``sites/``)."""
    site_values, address_values = _all_valid(
        lambda: attributes(form, ("name", "description"), SITE, required=("name",)),
        lambda: attributes(
            form,
            ("street1", "street2", "zip", "city"),
            ADDRESS,
            required=("street1", "zip", "city"),
        ),
    )
    address = addresses.create_address(session, actor, address_values)
    site = sites.create_site(
        session,
        actor,
        sites.SiteWrite(site_values, address_id=address.id, operator_id=org_id),
    )
    return _('Site "%(name)s" added.', name=site.name)


def add_room(session: Session, actor: Actor, form: RoomForm) -> str:
    """Create a room in one of the organization's sites (``POST rooms/``)."""
    values = attributes(
        form,
        ("name", "description", "size_sqm", "height_m", "max_occupancy"),
        ROOM,
        required=("name",),
    )
    room = rooms.create_room(
        session, actor, rooms.RoomWrite(values, site_id=form.site.data)
    )
    return _('Room "%(name)s" added.', name=room.name)


def add_node(session: Session, actor: Actor, org_id: int, form: NodeForm) -> str:
    """Register a node of the organization (``POST nodes/``)."""
    values = attributes(
        form, ("eui64", "alias", "description"), NODE, required=("eui64", "alias")
    )
    node = nodes.create_node(
        session,
        actor,
        nodes.NodeWrite(
            values,
            protocol_id=form.protocol.data,
            model_id=form.model.data,
            owner_id=org_id,
        ),
    )
    return _('Node "%(alias)s" registered.', alias=node.alias)


def start_epoch(moment: datetime | None, zone: str) -> int:
    """Return a form's local start time in ``zone`` as epoch seconds (now if empty).

    Raises:
        ValidationError: a start outside the epoch seconds the API stores (1970
            to 2038-01-19 UTC), with that range as dates in ``zone``, at the start.
    """
    if moment is None:
        return to_epoch(utcnow())
    local = ZoneInfo(zone)
    try:
        moment_utc = moment.replace(tzinfo=local).astimezone(UTC)
        seconds = to_epoch(moment_utc)
    except (OverflowError, ValueError):  # beyond what a datetime holds in UTC
        seconds = -1
    else:
        _require_existing(moment, moment_utc.astimezone(local), zone)
    if not 0 <= seconds <= MAX_MANAGAIR_EPOCH_S:
        first, last = (
            from_epoch(s).astimezone(local).strftime(_SHOWN)
            for s in (0, MAX_MANAGAIR_EPOCH_S)
        )
        raise ValidationError(
            _(
                "Choose a start between %(first)s and %(last)s.",
                first=first,
                last=last,
            ),
            FROM_POINTER,
        )
    return seconds


def _require_existing(wall: datetime, back: datetime, zone: str) -> None:
    """Refuse a local time the clocks skip (the hour put forward in spring): it
    would be stored silently as an hour later.

    Raises:
        ValidationError: ``wall`` does not exist in ``zone``, at the start.
    """
    if back.replace(tzinfo=None) != wall:
        raise ValidationError(
            _(
                "%(time)s does not exist in %(zone)s (the clocks are put forward "
                "then): choose another start.",
                time=wall.strftime(_SHOWN),
                zone=zone,
            ),
            FROM_POINTER,
        )


def install(session: Session, actor: Actor, form: InstallForm, zone: str) -> str:
    """Install a node in a room, open-ended (``POST installations/``)."""
    values = load_attributes(
        INSTALLATION,
        with_default_end(
            {
                "from_timestamp_s": start_epoch(form.start.data, zone),
                "description": plain(form.description.data),
                "is_public": form.is_public.data == "1",
            }
        ),
        partial=False,
    )
    inst = installations.create_installation(
        session,
        actor,
        installations.InstallationWrite(
            values, room_id=form.room.data, node_id=uuid.UUID(form.node.data)
        ),
    )
    return _(
        'Node "%(node)s" installed in room "%(room)s".',
        node=inst.node.alias,
        room=inst.room.name,
    )


def end_installation(
    session: Session, actor: Actor, org_id: int, installation_id: int, zone: str
) -> str:
    """End an installation now (``PATCH installations/<id>/`` with ``to = now``).

    Raises:
        NotFoundError: no such installation in ``org_id``.
        ValidationError: it has ended already (ending it "now" would extend it),
            or it has not started yet (it cannot end before it starts; the API
            would name its attributes only), with its start in ``zone``.
    """
    # the route checked that the caller owns org_id: the row is theirs to end
    inst = _of_organization(session, actor, Installation, installation_id, org_id)
    now = utcnow()
    if inst.to_time is not None and inst.to_time <= now:
        raise ValidationError(_("This installation has ended already."), TO_POINTER)
    if inst.from_time > now:
        start = inst.from_time.astimezone(ZoneInfo(zone)).strftime(_SHOWN)
        raise ValidationError(
            _(
                "This installation starts on %(start)s and cannot end before it "
                "starts. To cancel it, delete it through the API (DELETE "
                "/api/v1/installations/%(id)s/).",
                start=start,
                id=inst.id,
            ),
            TO_POINTER,
        )
    installations.update_installation(
        session,
        actor,
        inst.id,
        installations.InstallationWrite({"to_timestamp_s": to_epoch(now)}),
    )
    return _("Installation ended.")


def set_publicity(
    session: Session, actor: Actor, org_id: int, installation_id: int, public: bool
) -> str:
    """Make an installation public or private (``PATCH`` of ``is_public`` alone).

    Raises:
        NotFoundError: no such installation in ``org_id``.
    """
    _of_organization(session, actor, Installation, installation_id, org_id)
    installations.update_installation(
        session,
        actor,
        installation_id,
        installations.InstallationWrite({"is_public": public}),
    )
    if public:
        return _("The installation is public now.")
    return _("The installation is private now.")


def invite(session: Session, actor: Actor, org_id: int, form: InviteForm) -> str:
    """Add the account with the given e-mail address as a member."""
    added = invitations.invite_by_email(
        session, actor, org_id, form.email.data, Role(form.role.data)
    )
    return _("%(name)s is a member now.", name=added.user_name)


def set_role(
    session: Session, actor: Actor, org_id: int, membership_id: int, form: RoleForm
) -> str:
    """Change a member's role (``PATCH memberships/<id>/``).

    Raises:
        NotFoundError: no such membership in ``org_id``.
    """
    _of_organization(session, actor, Membership, membership_id, org_id)
    changed = memberships.update_membership(
        session,
        actor,
        membership_id,
        memberships.MembershipChanges(role=Role(form.role.data)),
    )
    return _("The role of %(name)s is changed.", name=changed.user_name)


def leave(session: Session, actor: Actor, membership_id: int | None) -> str:
    """Delete the caller's own membership (``DELETE memberships/<id>``).

    Raises:
        ValidationError: the caller is no member.
    """
    if membership_id is None:
        raise ValidationError(_("You are not a member of this organization."))
    memberships.delete_membership(session, actor, membership_id)
    return _("You have left the organization.")
