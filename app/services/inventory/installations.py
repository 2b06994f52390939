"""Installations: a node in a room for a closed time interval.

The node and the room belong to the same organization; the installations of
one node never overlap (one may start at the instant the previous one ends, as
the dashboards' publicity toggle does) and never end before they start. These rules are
checked here, with messages naming the conflicting installation; the
database's constraints are the safety net for races, refused at the same
attribute (:func:`installation_rules.overlap_claims`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import ORMOption

from app.models import Installation, Node, Room
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor
from app.services.inventory.figures import window_figures
from app.services.inventory.installation_rules import (
    check_installation,
    overlap_claims,
)
from app.services.inventory.views import InstallationView
from app.services.series.epoch import end_from_epoch, from_epoch
from app.services.series.extent import SeriesSource
from app.services.series.tallies import installation_figures
from app.services.series.window import Bounds, installation_window
from app.services.tenancy.listing import Listing, Page, fetch_entities
from app.services.unique import flush_claimed

ROOM_POINTER = "/data/relationships/room"
NODE_POINTER = "/data/relationships/node"


@dataclass(frozen=True)
class InstallationFilters:
    """``filter[room|site|organization|node]`` of the installation list."""

    room_id: int | None = None
    site_id: int | None = None
    organization_id: int | None = None
    node_id: uuid.UUID | None = None


@dataclass(frozen=True)
class InstallationWrite:
    """An installation create or update.

    Attributes:
        attributes: validated values sent (``from_timestamp_s`` and
            ``to_timestamp_s`` as epoch seconds, ``description``, ``is_public``).
        room_id: the room when sent.
        node_id: the node when sent.
    """

    attributes: Mapping[str, Any] = field(default_factory=dict)
    room_id: int | None = None
    node_id: uuid.UUID | None = None


def installations_select(
    actor: Actor, filters: InstallationFilters
) -> Select[Installation]:
    """Return the query of the installations ``actor`` may list, newest first."""
    stmt = access.scoped(select(Installation), Installation, actor)
    if filters.room_id is not None:
        stmt = stmt.where(Installation.room_id == filters.room_id)
    if filters.site_id is not None:
        rooms = select(Room.id).where(Room.site_id == filters.site_id)
        stmt = stmt.where(Installation.room_id.in_(rooms))
    if filters.organization_id is not None:
        nodes = select(Node.id).where(Node.owner_id == filters.organization_id)
        stmt = stmt.where(Installation.node_id.in_(nodes))
    if filters.node_id is not None:
        stmt = stmt.where(Installation.node_id == filters.node_id)
    return stmt.order_by(Installation.from_time.desc(), Installation.id.desc())


def list_installations(
    session: Session, actor: Actor, filters: InstallationFilters, page: Page
) -> Listing[InstallationView]:
    """List the ``page`` of the installations ``actor`` may see, with figures."""
    found = fetch_entities(session, installations_select(actor, filters), page)
    return Listing(tuple(with_stats(session, found.items)), found.total)


def with_stats(
    session: Session, installations: Sequence[Installation]
) -> list[InstallationView]:
    """Attach the sample figures of each installation's own interval (its tallies)."""
    stats = installation_figures(session, [(i.id, i.node_id) for i in installations])
    return [InstallationView(i, s) for i, s in zip(installations, stats, strict=True)]


def get_installation(
    session: Session, actor: Actor, installation_id: int, *options: ORMOption
) -> Installation:
    """Return an installation the actor may read (public ones for anyone), with
    loader ``options``.

    Raises:
        NotFoundError: no such installation or invisible.
    """
    return access.get_visible(session, actor, Installation, installation_id, *options)


def installation_detail(
    session: Session,
    actor: Actor,
    installation_id: int,
    bounds: Bounds,
    with_samples: bool = False,
) -> InstallationView:
    """Return an installation with the figures (and samples) of the sliced window.

    The window is ``[filter[from] or 0, filter[to] or now]`` within the
    installation's own interval, both ends included.

    Raises:
        NotFoundError: no such installation or invisible.
    """
    # The node (its owner guards the samples' statement) in the same statement.
    node = joinedload(Installation.node, innerjoin=True)
    inst = get_installation(session, actor, installation_id, node)
    window = bounds.window(utcnow()).clip(installation_window(inst))
    source = SeriesSource(inst.node_id, inst.node.owner_id)
    return InstallationView(
        inst, window_figures(session, source, window, with_samples=with_samples)
    )


def installation_room(session: Session, actor: Actor, installation_id: int) -> Room:
    """Return the room of a visible installation.

    Raises:
        NotFoundError: no such installation or invisible.
    """
    inst = get_installation(session, actor, installation_id)
    return access.get_visible(session, actor, Room, inst.room_id)


def installation_node(session: Session, actor: Actor, installation_id: int) -> Node:
    """Return the node of a visible installation; nodes are members-only.

    Raises:
        NotFoundError: no such installation, or it or its node is invisible.
        UnauthenticatedError: anonymous caller of a public installation.
    """
    inst = get_installation(session, actor, installation_id)
    access.require_authenticated(actor)
    return access.get_visible(session, actor, Node, inst.node_id)


def create_installation(
    session: Session, actor: Actor, write: InstallationWrite
) -> Installation:
    """Install a node in a room, both of an organization the caller owns.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: unknown or invisible room or node, node and room of
            different owners, ``from > to``, or an overlap with another
            installation of the node (400).
        ForbiddenError: not an OWNER of the room's organization (403).
    """
    access.require_authenticated(actor)
    room = _room(session, actor, write.room_id)
    node = _node(session, actor, write.node_id)
    inst = Installation(room=room, node=node, is_public=False)
    _apply(inst, write.attributes)
    check_installation(session, inst)
    session.add(inst)
    flush_claimed(session, *overlap_claims())
    return inst


def update_installation(
    session: Session, actor: Actor, installation_id: int, write: InstallationWrite
) -> Installation:
    """Change an installation (e.g. end it, or toggle ``is_public`` alone).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such installation or invisible.
        ForbiddenError: not an OWNER of its organization (or the new room's).
        ValidationError: as for :func:`create_installation` (400).
    """
    inst = access.get_owned(session, actor, Installation, installation_id)
    if write.room_id is not None and write.room_id != inst.room_id:
        inst.room = _room(session, actor, write.room_id)
    if write.node_id is not None and write.node_id != inst.node_id:
        inst.node = _node(session, actor, write.node_id)
    _apply(inst, write.attributes)
    check_installation(session, inst)
    flush_claimed(session, *overlap_claims())
    return inst


def delete_installation(
    session: Session, actor: Actor, installation_id: int
) -> str | None:
    """Delete an installation (its samples stay with the node).

    Returns:
        The stored image name, for the caller to remove after the commit.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such installation or invisible.
        ForbiddenError: not an OWNER of its organization.
    """
    inst = access.get_owned(session, actor, Installation, installation_id)
    image = inst.image
    session.delete(inst)
    session.flush()
    return image


def set_image(
    session: Session, actor: Actor, installation_id: int, image: str
) -> tuple[Installation, str | None]:
    """Record a new stored photo for an installation.

    Returns:
        The installation and the previous image name (to remove after the commit).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such installation or invisible.
        ForbiddenError: not an OWNER of its organization.
    """
    inst = access.get_owned(session, actor, Installation, installation_id)
    old, inst.image = inst.image, image
    session.flush()
    return inst, old


def check_image_permission(
    session: Session, actor: Actor, installation_id: int
) -> None:
    """Check that the actor may replace the photo (before storing any file).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such installation or invisible.
        ForbiddenError: not an OWNER of its organization.
    """
    access.get_owned(session, actor, Installation, installation_id)


def _apply(inst: Installation, attributes: Mapping[str, Any]) -> None:
    for name, value in attributes.items():
        if name == "from_timestamp_s":
            inst.from_time = from_epoch(value)
        elif name == "to_timestamp_s":
            inst.to_time = end_from_epoch(value)
        else:
            setattr(inst, name, value)


def _room(session: Session, actor: Actor, room_id: int | None) -> Room:
    return access.get_owned_reference(session, actor, Room, room_id, ROOM_POINTER)


def _node(session: Session, actor: Actor, node_id: uuid.UUID | None) -> Node:
    return access.get_owned_reference(session, actor, Node, node_id, NODE_POINTER)
