"""What an organization's management page shows, read through the inventory services.

Every list comes from the services' scoped queries (the API's lists), narrowed
to the organization; the page itself is for its members only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Installation,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Room,
    Site,
)
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor
from app.services.inventory import catalogue, installations, nodes, rooms, sites
from app.services.tenancy import memberships
from app.services.tenancy.listing import Page
from app.services.tenancy.memberships import MembershipFilter, MembershipView

#: The ended installations the page lists, those that ended last: they pile up
#: with every move of a node, while a node's page keeps its whole history.
ENDED_SHOWN = 100


@dataclass(frozen=True)
class OrganizationPage:
    """An organization's inventory and members, as one member sees them.

    ``installations``: the running and planned ones (newest start first), then the
    :data:`ENDED_SHOWN` that ended last; ``more_ended``: whether older ones exist.
    """

    organization: Organization
    is_owner: bool
    sites: tuple[Site, ...]
    addresses: dict[int, Address]
    rooms: tuple[Room, ...]
    nodes: tuple[Node, ...]
    installations: tuple[Installation, ...]
    members: tuple[MembershipView, ...]
    protocols: tuple[Protocol, ...]
    models: tuple[NodeModel, ...]
    own_membership_id: int | None
    more_ended: bool = False

    @property
    def site_rooms(self) -> dict[int, list[Room]]:
        """The rooms of each site, in the rooms' order (one pass over the rooms:
        the page filtered every room for every site, 0.2 s at 450 sites)."""
        grouped: dict[int, list[Room]] = {site.id: [] for site in self.sites}
        for room in self.rooms:
            grouped.setdefault(room.site_id, []).append(room)
        return grouped


def load(session: Session, actor: Actor, organization_id: int) -> OrganizationPage:
    """Read the management page of ``organization_id`` for ``actor``.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such organization, or invisible to ``actor``.
        ForbiddenError: ``actor`` is not a member.
    """
    access.require_authenticated(actor)
    org = access.get_visible(session, actor, Organization, organization_id)
    access.require_member(actor, org.id)
    site_rows = tuple(
        session.scalars(
            sites.sites_select(actor, sites.SiteFilters(organization_id=org.id))
        )
    )
    address_ids = {s.address_id for s in site_rows}
    members = memberships.list_memberships(
        session, actor, MembershipFilter(organization_id=org.id), Page()
    ).items
    own = [m.id for m in members if m.user_id == actor.user_id]
    running, ended = _installations(session, actor, org.id)
    return OrganizationPage(
        organization=org,
        is_owner=actor.is_owner(org.id),
        sites=site_rows,
        addresses={
            a.id: a for a in sites.visible_addresses(session, actor, address_ids)
        },
        rooms=tuple(
            session.scalars(
                rooms.rooms_select(actor, rooms.RoomFilters(organization_id=org.id))
            )
        ),
        nodes=tuple(
            session.scalars(
                nodes.nodes_select(actor, nodes.NodeFilters(organization_id=org.id))
            )
        ),
        installations=running + ended[:ENDED_SHOWN],
        members=members,
        protocols=catalogue.list_entries(session, Protocol, Page()).items,
        models=catalogue.list_entries(session, NodeModel, Page()).items,
        own_membership_id=own[0] if own else None,
        more_ended=len(ended) > ENDED_SHOWN,
    )


def _installations(
    session: Session, actor: Actor, organization_id: int
) -> tuple[tuple[Installation, ...], tuple[Installation, ...]]:
    """The running and planned installations of the organization's nodes, and
    up to :data:`ENDED_SHOWN` + 1 ended ones, the last to end first (the one
    more tells that older ones exist)."""
    stmt = installations.installations_select(
        actor, installations.InstallationFilters(organization_id=organization_id)
    )
    now = utcnow()
    going = or_(Installation.to_time.is_(None), Installation.to_time > now)
    running = tuple(session.scalars(stmt.where(going)))
    ended = tuple(
        session.scalars(
            stmt.where(Installation.to_time <= now)
            .order_by(None)
            .order_by(Installation.to_time.desc(), Installation.id.desc())
            .limit(ENDED_SHOWN + 1)
        )
    )
    return running, ended


def my_memberships(session: Session, actor: Actor) -> tuple[MembershipView, ...]:
    """Return ``actor``'s own memberships (the organizations to manage).

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_authenticated(actor)
    return memberships.list_memberships(
        session, actor, MembershipFilter(user_id=actor.user_id), Page()
    ).items
