"""A small world for the series endpoints: two organizations, nodes, installations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.models import Installation, Node, Organization, Role, User
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
from tests.support.series import insert_rows, irregular_rows

START = datetime(2024, 3, 30, tzinfo=UTC)
END = START + timedelta(days=2)


@dataclass(frozen=True)
class World:
    """Org A (owner + inspector) with a node installed publicly, then privately."""

    org: Organization
    owner: User
    inspector: User
    stranger: User
    node: Node
    public: Installation
    private: Installation

    def headers(self, session: Session, user: User) -> dict[str, str]:
        """``Authorization: Token`` headers of ``user``."""
        key = issue_user_key(session, user).key
        session.commit()  # a failing request rolls back to here, not before the key
        return {"Authorization": f"Token {key}"}


def build_world(session: Session) -> World:
    """Samples every ~5 minutes for two days; the public installation covers the
    first day, the private one the second."""
    org = make_organization(session)
    owner, inspector, stranger = (
        make_user(session),
        make_user(session),
        make_user(session),
    )
    make_membership(session, owner, org, Role.OWNER)
    make_membership(session, inspector, org, Role.INSPECTOR)
    make_membership(session, stranger, make_organization(session), Role.OWNER)
    node = make_node(session, owner=org)
    room = make_room(session, site=make_site(session, operator=org))
    middle = START + timedelta(days=1)
    public = make_installation(
        session,
        node=node,
        room=room,
        from_time=START,
        to_time=middle - timedelta(seconds=1),
        is_public=True,
    )
    private = make_installation(session, node=node, room=room, from_time=middle)
    insert_rows(session, node.id, irregular_rows(START, END, seed=21))
    # Requests roll back to their own savepoint on errors; keep the world outside it.
    session.commit()
    return World(org, owner, inspector, stranger, node, public, private)
