"""A room with one installed node, and helpers to ask for its air quality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Installation, Node, Organization, Room
from app.services.accounts.tokens import issue_user_key
from tests.factories import (
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)
from tests.support.copy_series import Co2, insert_series

BERLIN = ZoneInfo("Europe/Berlin")
MARGIN = timedelta(minutes=30)
INSTALLED = datetime(2020, 1, 1, tzinfo=BERLIN)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a Berlin wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@dataclass
class RoomWorld:
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
        """Return the Authorization header of a new member of the organization."""
        user = make_user(session)
        make_membership(session, user, self.organization)
        return {"Authorization": f"Token {issue_user_key(session, user).key}"}


def room_world(
    session: Session,
    from_time: datetime = INSTALLED,
    to_time: datetime | None = None,
    is_public: bool = True,
) -> RoomWorld:
    """Create a room with one node installed from ``from_time`` (public by default)."""
    org = make_organization(session)
    room = make_room(session, site=make_site(session, operator=org))
    node = make_node(session, owner=org)
    inst = make_installation(
        session,
        node=node,
        room=room,
        from_time=from_time,
        to_time=to_time,
        is_public=is_public,
    )
    return RoomWorld(org, room, node, inst)


def fill(
    session: Session,
    node: Node,
    start: datetime,
    stop: datetime,
    step: timedelta = timedelta(minutes=5),
    co2_ppm: Co2 = 500,
) -> None:
    """Give ``node`` samples from ``start`` to ``stop``, plus 30 minutes either side."""
    insert_series(session, node.id, start - MARGIN, stop + MARGIN, step, co2_ppm)


def airquality(
    client: FlaskClient,
    room: Room,
    month: str | None = None,
    query: str = "include_histogram=true&include_days=true",
    headers: dict[str, str] | None = None,
) -> Any:
    """GET the air quality of ``room`` and return the response."""
    path = f"/api/v1/rooms/{room.id}/airquality/" + (month or "")
    return client.get(f"{path}?{query}", headers=headers or {})
