"""Named worlds: the few populations the API and database tests share.

Each is built from :mod:`tests.factories` and returns its ORM objects (or ids,
where a test fills URL templates from them), so a test names what it uses and
a new test starts from a world it can read about here instead of writing its
own:

- :func:`tenants`: organization ``org`` with an OWNER and an INSPECTOR, another
  organization owned by an outsider, and a staff user in none;
- :func:`installed_room`: a room of an organization with one node installed;
- :func:`inventory_world`: :func:`tenants` plus a private and a public
  site → room → installation chain of ``org`` and the outsider's inventory;
- :func:`series_world`: :func:`tenants` plus a node installed publicly for one
  day and privately the next, with irregular samples across both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.models import Installation, Membership, Node, Organization, Role, Room, User
from tests.factories import (
    T0,
    make_address,
    make_installation,
    make_membership,
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_quantity,
    make_room,
    make_samples,
    make_site,
    make_user,
)
from tests.support.auth import auth_headers
from tests.support.series import insert_rows, irregular_rows

#: The callers a tenancy test states an expectation for.
ACTORS = ("anonymous", "outsider", "staff", "inspector", "owner")
JSONAPI = "application/vnd.api+json"


@dataclass(frozen=True)
class Tenants:
    """``org`` (an OWNER and an INSPECTOR), ``other`` (owned by the outsider), staff."""

    org: Organization
    other: Organization
    owner: User
    inspector: User
    outsider: User
    staff: User
    owner_membership: Membership
    inspector_membership: Membership

    def users(self) -> dict[str, User | None]:
        """Each actor of :data:`ACTORS` by name (None for anonymous)."""
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "staff": self.staff,
            "inspector": self.inspector,
            "owner": self.owner,
        }

    def headers(
        self, session: Session, content_type: str | None = None
    ) -> dict[str, dict[str, str]]:
        """Each actor's request headers, with a fresh API key (commits, see
        :func:`~tests.support.auth.auth_headers`), plus ``Content-Type`` if given."""
        extra = {} if content_type is None else {"Content-Type": content_type}
        return {
            name: {**extra, **auth_headers(session, user)}
            for name, user in self.users().items()
        }


def tenants(session: Session) -> Tenants:
    """Create two organizations and the four signed-in actors of :class:`Tenants`."""
    owner, inspector, outsider = (make_user(session) for _ in range(3))
    staff = make_user(session, is_staff=True)
    org, other = make_organization(session), make_organization(session)
    owned = make_membership(session, owner, org, Role.OWNER)
    inspected = make_membership(session, inspector, org, Role.INSPECTOR)
    make_membership(session, outsider, other, Role.OWNER)
    return Tenants(org, other, owner, inspector, outsider, staff, owned, inspected)


@dataclass(frozen=True)
class InstalledRoom:
    """An organization with a site, a room and a node installed there."""

    organization: Organization
    room: Room
    node: Node
    installation: Installation

    def add_node(self, session: Session, **installation: Any) -> Node:
        """Install another node of the organization in the room."""
        node = make_node(session, owner=self.organization)
        make_installation(session, node=node, room=self.room, **installation)
        return node

    def member_headers(self, session: Session) -> dict[str, str]:
        """Return the Authorization header of a new INSPECTOR of the organization."""
        user = make_user(session)
        make_membership(session, user, self.organization)
        return auth_headers(session, user)


def installed_room(
    session: Session,
    organization: Organization | None = None,
    from_time: datetime = T0,
    to_time: datetime | None = None,
    is_public: bool = True,
    room_name: str | None = None,
) -> InstalledRoom:
    """A room of ``organization`` (a new one unless given), named ``room_name``
    if given, with one node installed from ``from_time`` (public by default)."""
    org = organization or make_organization(session)
    named = {} if room_name is None else {"name": room_name}
    room = make_room(session, site=make_site(session, operator=org), **named)
    node = make_node(session, owner=org)
    inst = make_installation(
        session,
        node=node,
        room=room,
        from_time=from_time,
        to_time=to_time,
        is_public=is_public,
    )
    return InstalledRoom(org, room, node, inst)


@dataclass(frozen=True)
class InventoryWorld:
    """Ids of :func:`inventory_world`'s objects and the request headers of each actor."""

    headers: dict[str, dict[str, str]]
    org: int
    other_org: int
    quantity: int
    protocol: int
    model: int
    node: str
    pnode: str
    spare_node: str
    address: int
    paddress: int
    site: int
    psite: int
    room: int
    proom: int
    inst: int
    pinst: int
    other_node: str
    other_address: int
    other_site: int
    other_room: int
    quantity_name: str
    psite_name: str
    proom_name: str
    owner: int


def inventory_world(session: Session) -> InventoryWorld:
    """:func:`tenants` with inventory: ``org`` has a private chain (site ``site`` →
    room ``room`` → installation ``inst`` of node ``node``, which has samples), a
    public one (``psite`` → ``proom`` → public ``pinst`` of ``pnode``) and a spare
    node; the outsider's ``other_org`` has a node, a site and a room."""
    people = tenants(session)
    org, other = people.org, people.other
    quantity = make_quantity(session)
    catalogue = {
        "protocol_id": make_protocol(session).id,
        "model_id": make_model(session).id,
    }
    node, pnode, spare = (make_node(session, owner=org, **catalogue) for _ in range(3))
    make_samples(session, node, count=3)
    address, paddress = make_address(session), make_address(session)
    site = make_site(session, operator=org, address_id=address.id)
    psite = make_site(session, operator=org, address_id=paddress.id)
    room, proom = make_room(session, site=site), make_room(session, site=psite)
    inst = make_installation(session, node=node, room=room)
    pinst = make_installation(session, node=pnode, room=proom, is_public=True)
    other_node = make_node(session, owner=other, **catalogue)
    other_site = make_site(session, operator=other)
    other_room = make_room(session, site=other_site)
    return InventoryWorld(
        headers=people.headers(session, content_type=JSONAPI),
        org=org.id,
        other_org=other.id,
        quantity=quantity.id,
        protocol=catalogue["protocol_id"],
        model=catalogue["model_id"],
        node=str(node.id),
        pnode=str(pnode.id),
        spare_node=str(spare.id),
        address=address.id,
        paddress=paddress.id,
        site=site.id,
        psite=psite.id,
        room=room.id,
        proom=proom.id,
        inst=inst.id,
        pinst=pinst.id,
        other_node=str(other_node.id),
        other_address=other_site.address_id,
        other_site=other_site.id,
        other_room=other_room.id,
        quantity_name=quantity.quantity,
        psite_name=psite.name,
        proom_name=proom.name,
        owner=people.owner.id,
    )


#: The two days :func:`series_world` has samples for.
SERIES_START = datetime(2024, 3, 30, tzinfo=UTC)
SERIES_END = SERIES_START + timedelta(days=2)


@dataclass(frozen=True)
class SeriesWorld:
    """:class:`Tenants` and a node installed publicly, then privately."""

    people: Tenants
    node: Node
    public: Installation
    private: Installation


def series_world(session: Session) -> SeriesWorld:
    """Samples every ~5 minutes for two days; the public installation covers the
    first day, the private one the second. Commits, so that a failing request,
    which rolls back to its own savepoint, keeps the world."""
    people = tenants(session)
    node = make_node(session, owner=people.org)
    room = make_room(session, site=make_site(session, operator=people.org))
    middle = SERIES_START + timedelta(days=1)
    public = make_installation(
        session,
        node=node,
        room=room,
        from_time=SERIES_START,
        to_time=middle - timedelta(seconds=1),
        is_public=True,
    )
    private = make_installation(session, node=node, room=room, from_time=middle)
    insert_rows(session, node.id, irregular_rows(SERIES_START, SERIES_END, seed=21))
    session.commit()
    return SeriesWorld(people, node, public, private)
