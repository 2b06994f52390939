"""Rooms of sites, where nodes are installed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import Installation, Room, Site
from app.services import access
from app.services.access import Actor
from app.services.inventory.search import matches_all
from app.services.tenancy.listing import Listing, Page, fetch_entities
from app.services.unique import Claim, flush_claimed, require_free

SITE_POINTER = "/data/relationships/site"


@dataclass(frozen=True)
class RoomFilters:
    """List filters: ``filter[site]``, ``filter[organization]``, ``filter[search]``."""

    site_id: int | None = None
    organization_id: int | None = None
    search: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoomWrite:
    """A room create or update; ``site_id`` is None when not sent."""

    attributes: Mapping[str, Any] = field(default_factory=dict)
    site_id: int | None = None


def list_rooms(
    session: Session, actor: Actor, filters: RoomFilters, page: Page
) -> Listing[Room]:
    """List the ``page`` of the rooms ``actor`` may see."""
    return fetch_entities(session, rooms_select(actor, filters), page)


def rooms_select(actor: Actor, filters: RoomFilters) -> Select[Room]:
    """Return the ordered query of the rooms ``actor`` may list (public ones too)."""
    stmt = access.scoped(select(Room), Room, actor).order_by(Room.name, Room.id)
    if filters.site_id is not None:
        stmt = stmt.where(Room.site_id == filters.site_id)
    if filters.organization_id is not None:
        stmt = stmt.where(
            Room.site_id.in_(
                select(Site.id).where(Site.operator_id == filters.organization_id)
            )
        )
    return stmt.where(matches_all((Room.name, Room.description), filters.search))


def get_room(session: Session, actor: Actor, room_id: int) -> Room:
    """Return a room the actor may read.

    Raises:
        NotFoundError: no such room or invisible.
    """
    return access.get_visible(session, actor, Room, room_id)


def room_site(session: Session, actor: Actor, room_id: int) -> Site:
    """Return the site of a visible room.

    Raises:
        NotFoundError: no such room or invisible.
    """
    room = get_room(session, actor, room_id)
    return access.get_visible(session, actor, Site, room.site_id)


def create_room(session: Session, actor: Actor, write: RoomWrite) -> Room:
    """Create a room in a site the caller's organization operates.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: unknown or invisible site (400).
        ForbiddenError: not an OWNER of the site's operator (403).
        ConflictError: the site has a room of that name (409).
    """
    access.require_authenticated(actor)
    site = _site(session, actor, write.site_id)
    name = _check_name_free(session, site.id, write.attributes["name"], None)
    room = Room(site_id=site.id, **write.attributes)
    session.add(room)
    flush_claimed(session, name)
    return room


def update_room(session: Session, actor: Actor, room_id: int, write: RoomWrite) -> Room:
    """Change a room; moving it to another organization's site needs OWNER rights on both.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such room or invisible.
        ForbiddenError: not an OWNER of the current or the new site's operator.
        ValidationError: unknown or invisible site (400).
        ConflictError: the name is taken in the (new) site (409).
    """
    room = access.get_owned(session, actor, Room, room_id)
    site_id = room.site_id
    if write.site_id is not None and write.site_id != site_id:
        new_site = _site(session, actor, write.site_id)
        if new_site.operator_id != room.site.operator_id:
            access.refuse_move_with_installations(
                session, Installation.room_id == room.id, SITE_POINTER
            )
        site_id = new_site.id
    name = _check_name_free(
        session, site_id, write.attributes.get("name", room.name), room.id
    )
    room.site_id = site_id
    for key, value in write.attributes.items():
        setattr(room, key, value)
    flush_claimed(session, name)
    session.expire(room, ["site"])
    return room


def delete_room(session: Session, actor: Actor, room_id: int) -> None:
    """Delete a room with its installations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such room or invisible.
        ForbiddenError: not an OWNER of the site's operator.
    """
    room = access.get_owned(session, actor, Room, room_id)
    session.delete(room)
    session.flush()


def _site(session: Session, actor: Actor, site_id: int | None) -> Site:
    return access.get_owned_reference(session, actor, Site, site_id, SITE_POINTER)


def _check_name_free(
    session: Session, site_id: int, name: str, own_id: int | None
) -> Claim:
    return require_free(
        session,
        Room.id,
        (Room.site_id == site_id) & (Room.name == name),
        own_id,
        Claim(
            "uq_rooms_site_id_name",
            gettext('The site already has a room named "%(name)s".', name=name),
            "/data/attributes/name",
        ),
    )
