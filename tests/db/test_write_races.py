"""Two requests writing the same rows at once: each answers as if it came second.

These tests commit for real (a request and a competing transaction at once), so
they use the app's own engine instead of the rolled-back ``session`` fixture and
delete what they made afterwards. They are deterministic: the competing
transaction holds its row locks until the request is seen waiting for them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from flask import Flask

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Address,
    Installation,
    LoginFailure,
    Membership,
    NodeModel,
    Organization,
    Protocol,
    Role,
    Room,
    Site,
    User,
)
from app.services.accounts.passwords import hash_password
from app.services.accounts.tokens import issue_user_key
from tests.factories import (
    DEFAULT_PASSWORD,
    make_address,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)

JSONAPI = "application/vnd.api+json"
WAIT_S = 10.0


@dataclass(frozen=True)
class World:
    """A committed organization with two OWNERs, a site, a room and a node."""

    org_id: int
    site_id: int
    room_id: int
    node_id: str
    address_id: int
    owner_membership_id: int
    other_membership_id: int
    headers: dict[str, str]
    other_headers: dict[str, str]


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    with Session(db.engine) as s:
        org = make_organization(s)
        owner, other = make_user(s), make_user(s)
        m1 = make_membership(s, owner, org, Role.OWNER)
        m2 = make_membership(s, other, org, Role.OWNER)
        address = make_address(s)
        site = make_site(s, operator=org, address_id=address.id)
        room = make_room(s, site=site)
        node = make_node(s, owner=org)
        made = World(
            org.id,
            site.id,
            room.id,
            str(node.id),
            address.id,
            m1.id,
            m2.id,
            _headers(issue_user_key(s, owner).key),
            _headers(issue_user_key(s, other).key),
        )
        user_ids = [owner.id, other.id]
        catalogue = (node.protocol_id, node.model_id)
        s.commit()
    yield made
    with Session(db.engine) as s:
        s.execute(delete(Organization).where(Organization.id == made.org_id))
        s.execute(delete(Address).where(Address.id == made.address_id))
        s.execute(delete(User).where(User.id.in_(user_ids)))
        s.execute(delete(Protocol).where(Protocol.id == catalogue[0]))
        s.execute(delete(NodeModel).where(NodeModel.id == catalogue[1]))
        s.commit()
    db.session.remove()


def _headers(key: str) -> dict[str, str]:
    return {"Content-Type": JSONAPI, "Authorization": f"Token {key}"}


def _while_held(
    app: Flask, hold: Callable[[Session], Any], request: Callable[[Any], Any]
) -> Any:
    """Send ``request`` while another transaction has done ``hold``; then commit it.

    The commit waits until the request is seen waiting for the other
    transaction's locks, so the request always meets the committed change.
    Returns the request's response.
    """
    answer: list[Any] = []
    with Session(db.engine) as other:
        hold(other)
        pid = other.execute(text("SELECT pg_backend_pid()")).scalar_one()
        thread = threading.Thread(
            target=lambda: answer.append(request(app.test_client()))
        )
        thread.start()
        _wait_until_blocked_by(pid)
        other.commit()
    thread.join(WAIT_S)
    assert answer, "the request did not finish"
    return answer[0]


def _wait_until_blocked_by(pid: int) -> None:
    stmt = text(
        "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
    )
    deadline = time.monotonic() + WAIT_S
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            if conn.execute(stmt, {"pid": pid}).scalar_one():
                return
            conn.rollback()
            time.sleep(0.01)
    raise AssertionError("the request never waited for the other transaction")


def _body(type_: str, ident: Any, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": type_, "id": str(ident), "attributes": attributes}}


def test_patch_of_a_room_deleted_meanwhile_is_404(app: Flask, world: World) -> None:
    path = f"/api/v1/rooms/{world.room_id}/"
    body = _body("Room", world.room_id, description="changed")

    response = _while_held(
        app,
        lambda s: s.execute(delete(Room).where(Room.id == world.room_id)),
        lambda client: client.patch(path, json=body, headers=world.headers),
    )

    assert response.status_code == 404, response.get_json()


def test_second_of_two_deletes_of_a_site_is_404(app: Flask, world: World) -> None:
    path = f"/api/v1/sites/{world.site_id}/"

    response = _while_held(
        app,
        lambda s: s.execute(delete(Site).where(Site.id == world.site_id)),
        lambda client: client.delete(path, headers=world.headers),
    )

    assert response.status_code == 404, response.get_json()


def test_patch_of_a_node_deleted_meanwhile_is_404(app: Flask, world: World) -> None:
    path = f"/api/v1/nodes/{world.node_id}/"
    body = _body("Node", world.node_id, alias="changed")

    response = _while_held(
        app,
        lambda s: s.execute(
            text("DELETE FROM nodes WHERE id = :id"), {"id": world.node_id}
        ),
        lambda client: client.patch(path, json=body, headers=world.headers),
    )

    assert response.status_code == 404, response.get_json()


def test_role_change_of_a_membership_deleted_meanwhile_is_404(
    app: Flask, world: World
) -> None:
    ident = world.other_membership_id
    path = f"/api/v1/memberships/{ident}/"
    body = _body("Membership", ident, role="I")

    response = _while_held(
        app,
        lambda s: s.execute(delete(Membership).where(Membership.id == ident)),
        lambda client: client.patch(path, json=body, headers=world.headers),
    )

    assert response.status_code == 404, response.get_json()


@pytest.mark.parametrize(
    ("path", "type_", "parent", "pointer"),
    [
        ("/api/v1/rooms/", "Room", "site", "/data/relationships/site"),
        ("/api/v1/installations/", "Installation", "room", "/data/relationships/room"),
    ],
)
def test_create_under_a_parent_deleted_meanwhile_is_400_at_the_relationship(
    app: Flask, world: World, path: str, type_: str, parent: str, pointer: str
) -> None:
    """The create once met the delete in its foreign key: a 400 naming no field."""
    parent_id = world.site_id if parent == "site" else world.room_id
    relationships: dict[str, Any] = {
        parent: {"data": {"type": parent.capitalize(), "id": str(parent_id)}}
    }
    attributes: dict[str, Any] = {"name": "Raced"}
    if type_ == "Installation":
        relationships["node"] = {"data": {"type": "Node", "id": world.node_id}}
        attributes = {"from_timestamp_s": 1_700_000_000}
    body = {
        "data": {
            "type": type_,
            "attributes": attributes,
            "relationships": relationships,
        }
    }
    model = Site if parent == "site" else Room

    response = _while_held(
        app,
        lambda s: s.execute(delete(model).where(model.id == parent_id)),
        lambda client: client.post(path, json=body, headers=world.headers),
    )

    assert response.status_code == 400, response.get_json()
    (error,) = response.get_json()["errors"]
    assert error["source"] == {"pointer": pointer}


def test_owners_removing_each_other_at_once_keep_one_owner(
    app: Flask, world: World
) -> None:
    """The other OWNER's removal of the caller holds its locks; the caller's own
    removal of the other OWNER must then see that it is the last one."""

    def remove_owner(s: Session) -> None:
        s.execute(
            select(Organization.id)
            .where(Organization.id == world.org_id)
            .with_for_update()
        )
        s.execute(delete(Membership).where(Membership.id == world.owner_membership_id))

    path = f"/api/v1/memberships/{world.other_membership_id}/"
    response = _while_held(
        app, remove_owner, lambda client: client.delete(path, headers=world.headers)
    )

    assert response.status_code == 409, response.get_json()
    with Session(db.engine) as s:
        roles = s.scalars(
            select(Membership.role).where(Membership.organization_id == world.org_id)
        ).all()
    assert roles == [Role.OWNER]


# -- a value another transaction takes first -------------------------------------


def _relationships(**linked: tuple[str, Any]) -> dict[str, Any]:
    return {
        name: {"data": {"type": t, "id": str(i)}} for name, (t, i) in linked.items()
    }


def test_site_name_taken_meanwhile_is_409_at_the_name(app: Flask, world: World) -> None:
    def take_name(s: Session) -> None:
        s.add(Site(name="Taken", operator_id=world.org_id, address_id=world.address_id))
        s.flush()

    body = {
        "data": {
            "type": "Site",
            "attributes": {"name": "Taken"},
            "relationships": _relationships(
                operator=("Organization", world.org_id),
                address=("Address", world.address_id),
            ),
        }
    }
    response = _while_held(
        app,
        take_name,
        lambda client: client.post("/api/v1/sites/", json=body, headers=world.headers),
    )

    assert response.status_code == 409, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["source"] == {"pointer": "/data/attributes/name"}
    assert '"Taken"' in error["detail"]


def test_member_added_meanwhile_is_409_at_the_user(app: Flask, world: World) -> None:
    with Session(db.engine) as s:  # a user the OWNER sees: a co-member elsewhere
        user, elsewhere = make_user(s), make_organization(s)
        make_membership(s, user, elsewhere)
        owner_id = s.get_one(Membership, world.owner_membership_id).user_id
        s.add(Membership(user_id=owner_id, organization_id=elsewhere.id))
        user_id, elsewhere_id = user.id, elsewhere.id
        s.commit()

    def add_member(s: Session) -> None:
        s.add(Membership(user_id=user_id, organization_id=world.org_id))
        s.flush()

    body = {
        "data": {
            "type": "Membership",
            "attributes": {"role": "I"},
            "relationships": _relationships(
                user=("User", user_id), organization=("Organization", world.org_id)
            ),
        }
    }
    try:
        response = _while_held(
            app,
            add_member,
            lambda client: client.post(
                "/api/v1/memberships/", json=body, headers=world.headers
            ),
        )
    finally:
        with Session(db.engine) as s:
            s.execute(delete(Organization).where(Organization.id == elsewhere_id))
            s.execute(delete(User).where(User.id == user_id))
            s.commit()

    assert response.status_code == 409, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["source"] == {"pointer": "/data/relationships/user"}


def test_installation_overlapping_one_made_meanwhile_is_400_at_the_start(
    app: Flask, world: World
) -> None:
    with Session(db.engine) as s:
        other_room_id = make_room(s, site=s.get(Site, world.site_id)).id
        s.commit()

    def install(s: Session) -> None:
        s.add(
            Installation(
                node_id=uuid.UUID(world.node_id),
                room_id=other_room_id,
                from_time=datetime(2024, 1, 1, tzinfo=UTC),
                is_public=False,
            )
        )
        s.flush()

    body = {
        "data": {
            "type": "Installation",
            "attributes": {"from_timestamp_s": 1_710_000_000},
            "relationships": _relationships(
                node=("Node", world.node_id), room=("Room", world.room_id)
            ),
        }
    }
    response = _while_held(
        app,
        install,
        lambda client: client.post(
            "/api/v1/installations/", json=body, headers=world.headers
        ),
    )

    assert response.status_code == 400, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["source"] == {"pointer": "/data/attributes/from_timestamp_s"}
    assert "overlap" in error["detail"]


@pytest.fixture
def counters(app: Flask) -> Iterator[None]:
    """Remove the log-in and mail counters the test's requests made."""
    with Session(db.engine) as s:
        before = set(s.execute(select(LoginFailure.scope, LoginFailure.key)).all())
    yield
    with Session(db.engine) as s:
        for scope, key in s.execute(select(LoginFailure.scope, LoginFailure.key)).all():
            if (scope, key) not in before:
                s.execute(
                    delete(LoginFailure).where(
                        LoginFailure.scope == scope, LoginFailure.key == key
                    )
                )
        s.commit()
    db.session.remove()


@pytest.fixture
def sign_ups(counters: None) -> Iterator[list[str]]:
    """The usernames a test signs up (removed afterwards)."""
    names: list[str] = []
    yield names
    with Session(db.engine) as s:
        s.execute(delete(User).where(User.username.in_(names)))
        s.commit()


def _sign_up(username: str, email: str) -> Callable[[Any], Any]:
    password = "Tr4ns-Kettle-Blue-97"
    attributes = {
        "username": username,
        "email": email,
        "password1": password,
        "password2": password,
    }
    body = {"data": {"type": "RegisterView", "attributes": attributes}}
    return lambda client: client.post(
        "/api/v1/auth/registration/",
        json=body,
        headers={"Content-Type": JSONAPI},
        environ_base={"REMOTE_ADDR": "192.0.2.61"},
    )


def _hold_user(username: str, email: str) -> Callable[[Session], None]:
    def hold(s: Session) -> None:
        s.add(User(username=username, email=email))
        s.flush()

    return hold


def test_sign_up_with_an_address_taken_meanwhile_answers_like_a_taken_one(
    app: Flask, sign_ups: list[str]
) -> None:
    """README: a taken address is answered exactly like a new one."""
    sign_ups += ["race-first", "race-second"]
    response = _while_held(
        app,
        _hold_user("race-first", "race@example.org"),
        _sign_up("race-second", "race@example.org"),
    )

    assert response.status_code == 201, response.get_json()
    with Session(db.engine) as s:
        names = s.scalars(
            select(User.username).where(User.email == "race@example.org")
        ).all()
    assert names == ["race-first"]


def test_sign_up_with_a_username_taken_meanwhile_is_409_at_the_username(
    app: Flask, sign_ups: list[str]
) -> None:
    sign_ups.append("race-name")
    response = _while_held(
        app,
        _hold_user("race-name", "race-a@example.org"),
        _sign_up("race-name", "race-b@example.org"),
    )

    assert response.status_code == 409, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["source"] == {"pointer": "/data/attributes/username"}


def test_second_of_two_password_changes_at_once_needs_the_new_password(
    app: Flask, world: World, counters: None
) -> None:
    """Both changes knew the old password; the first one's new password wins,
    and the second is refused instead of overwriting it."""
    with Session(db.engine) as s:
        owner_id = s.get_one(Membership, world.owner_membership_id).user_id
    first_hash = hash_password("first-change-2024")
    new = "second-change-2024"
    body = {
        "data": {
            "type": "PasswordChangeView",
            "attributes": {
                "old_password": DEFAULT_PASSWORD,
                "new_password1": new,
                "new_password2": new,
            },
        }
    }

    response = _while_held(
        app,
        lambda s: s.execute(
            update(User).where(User.id == owner_id).values(password_hash=first_hash)
        ),
        lambda client: client.post(
            "/api/v1/auth/password/change/", json=body, headers=world.headers
        ),
    )

    assert response.status_code == 400, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["source"] == {"pointer": "/data/attributes/old_password"}
    with Session(db.engine) as s:
        assert s.get_one(User, owner_id).password_hash == first_hash
