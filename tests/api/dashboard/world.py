"""Two organizations for the dashboard's page tests: ours with an owner, an
inspector, two rooms and a node sending now; theirs with a public and a private
installation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.models import Installation, Node, Organization, Role, Room, Site, User
from app.models.devices import Fidelity
from tests.factories import (
    make_fidelity,
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_samples,
    make_site,
    make_user,
)


@dataclass(frozen=True)
class DashWorld:
    """Ours: ``room`` (node sending 1200 ppm now) and ``empty_room``; theirs:
    ``public`` and ``private`` installations, in ``their_site``."""

    org: Organization
    owner: User
    inspector: User
    room: Room
    empty_room: Room
    node: Node
    installation: Installation
    their_org: Organization
    their_site: Site
    their_private_site: Site
    public: Installation
    private: Installation

    def url(self, path: str) -> str:
        """``path`` with its ``{placeholders}`` filled in from this world (one
        mapping for every parametrized page test)."""
        return path.format(
            their_org=self.their_org.id,
            public_room=self.public.room_id,
            private_room=self.private.room_id,
            public_node=self.public.node_id,
            public=self.public.id,
            private=self.private.id,
            private_site=self.their_private_site.id,
            ours=self.installation.id,
            our_room=self.installation.room_id,
        )


def build_dash_world(session: Session) -> DashWorld:
    """Build both organizations; samples of the last hour in ours and theirs."""
    now = datetime.now(UTC).replace(microsecond=0)
    org = make_organization(session, name="Bar Zur Lüftung")
    owner, inspector = make_user(session), make_user(session)
    make_membership(session, owner, org, Role.OWNER)
    make_membership(session, inspector, org, Role.INSPECTOR)
    site = make_site(session, operator=org, name="Kneipe")
    room = make_room(session, site=site, name="Schankraum")
    empty_room = make_room(session, site=site, name="Keller")
    node = make_node(session, owner=org, alias="Tresen")
    installation = make_installation(
        session, node=node, room=room, from_time=now - timedelta(days=3)
    )
    make_samples(session, node, start=now - timedelta(hours=1), co2_ppm=1200)
    make_fidelity(session, node, fidelity=Fidelity.ALIVE, last_check=now)

    their_org = make_organization(session, name="Schule Am See")
    their_site = make_site(session, operator=their_org, name="Aula-Haus")
    their_private_site = make_site(session, operator=their_org, name="Lehrerhaus")
    public = make_installation(
        session,
        room=make_room(session, site=their_site, name="Aula"),
        from_time=now - timedelta(days=3),
        is_public=True,
    )
    private = make_installation(
        session,
        room=make_room(session, site=their_private_site, name="Lehrerzimmer"),
        from_time=now - timedelta(days=3),
    )
    make_samples(session, public.node, start=now - timedelta(hours=1), co2_ppm=700)
    make_samples(session, private.node, start=now - timedelta(hours=1), co2_ppm=2500)
    session.commit()
    return DashWorld(
        org,
        owner,
        inspector,
        room,
        empty_room,
        node,
        installation,
        their_org,
        their_site,
        their_private_site,
        public,
        private,
    )
