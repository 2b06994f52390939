"""The room, node, installation and public pages: the object and its history.

Member pages load through :func:`access.get_of_member` (another organization's
row is a 404 there, even when public); public pages read as the anonymous
actor, so they show exactly what the API shows anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, joinedload

from app.models import Installation, Node, Room, Site
from app.services import access
from app.services.access import ANONYMOUS, Actor
from app.services.fidelity.liveness import FidelityView, fidelity_of


@dataclass(frozen=True)
class RoomPage:
    """A room with every installation the actor may see, newest first."""

    room: Room
    installations: list[Installation]

    @property
    def public(self) -> list[Installation]:
        """Its public installations (the embed snippets)."""
        return [i for i in self.installations if i.is_public]


@dataclass(frozen=True)
class NodePage:
    """A node, its latest verdict and where it has hung."""

    node: Node
    fidelity: FidelityView | None
    installations: list[Installation]


@dataclass(frozen=True)
class InstallationPage:
    """An installation, its node's verdict and the node's other installations."""

    installation: Installation
    fidelity: FidelityView | None
    history: list[Installation]


@dataclass(frozen=True)
class PublicSite:
    """A site and its rooms with public installations."""

    site: Site
    rooms: list[Room]


def _installations(
    session: Session, actor: Actor, condition: ColumnElement[bool]
) -> list[Installation]:
    """The visible installations matching ``condition`` with node, room and site."""
    stmt = (
        select(Installation)
        .options(
            joinedload(Installation.node),
            joinedload(Installation.room).joinedload(Room.site),
        )
        .where(condition)
        .order_by(Installation.from_time.desc(), Installation.id.desc())
    )
    return list(session.scalars(access.scoped(stmt, Installation, actor)).unique())


def _node_history(
    session: Session, actor: Actor, node_id: uuid.UUID
) -> tuple[FidelityView | None, list[Installation]]:
    """A node's latest liveness verdict and every installation of it the actor sees."""
    verdict = fidelity_of(session, actor, [node_id]).get(node_id)
    return verdict, _installations(session, actor, Installation.node_id == node_id)


def room_page(session: Session, actor: Actor, room_id: int) -> RoomPage:
    """A room of one of the actor's organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such room, or not the actor's organization's.
    """
    room = access.get_of_member(session, actor, Room, room_id)
    found = _installations(session, actor, Installation.room_id == room.id)
    return RoomPage(room, found)


def node_page(session: Session, actor: Actor, node_id: uuid.UUID) -> NodePage:
    """A node of one of the actor's organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node, or not the actor's organization's.
    """
    node = access.get_of_member(session, actor, Node, node_id)
    return NodePage(node, *_node_history(session, actor, node.id))


def installation_page(
    session: Session, actor: Actor, installation_id: int
) -> InstallationPage:
    """An installation of one of the actor's organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such installation, or not the actor's organization's.
    """
    inst = access.get_of_member(session, actor, Installation, installation_id)
    return InstallationPage(inst, *_node_history(session, actor, inst.node_id))


def public_installation(session: Session, installation_id: int) -> Installation:
    """A public installation, as anyone may see it.

    Raises:
        NotFoundError: no such installation, or not public.
    """
    return access.get_visible(session, ANONYMOUS, Installation, installation_id)


def public_room(session: Session, room_id: int) -> Room:
    """A room with a public installation, as anyone may see it (with its site).

    Raises:
        NotFoundError: no such room, or nothing public in it.
    """
    return access.get_visible(session, ANONYMOUS, Room, room_id)


def public_site(session: Session, site_id: int) -> PublicSite:
    """A site with a public installation, and its rooms that have one.

    Raises:
        NotFoundError: no such site, or nothing public in it.
    """
    site = access.get_visible(session, ANONYMOUS, Site, site_id)
    rooms = session.scalars(
        access.scoped(
            select(Room).where(Room.site_id == site.id).order_by(Room.name, Room.id),
            Room,
            ANONYMOUS,
        )
    )
    return PublicSite(site, list(rooms))


def public_sites(session: Session, limit: int = 100) -> list[Site]:
    """The sites with a public installation, by name (the start page lists them)."""
    stmt = select(Site).order_by(Site.name, Site.id).limit(limit)
    return list(session.scalars(access.scoped(stmt, Site, ANONYMOUS)))
