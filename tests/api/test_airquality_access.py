"""Air quality: who sees which room, which samples count, and simultaneous nodes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Membership, Room, User
from app.services.ops.demo import load_demo
from tests.factories import make_node
from tests.support.airquality import INSTALLED, airquality, berlin, fill, room_world
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

JANUARY = "2024-01"


def _days(resp: object) -> dict[str, dict[str, object]]:
    attrs = resp.json["data"]["attributes"]  # type: ignore[attr-defined]
    return {d["date"]: d for d in attrs["airq_days"]}


def test_airquality_private_room_is_not_found_for_anonymous(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session, is_public=False)

    assert_refused(
        client,
        "GET",
        f"/api/v1/rooms/{world.room.id}/airquality/{JANUARY}",
        404,
        unchanged=(),
    )


def test_airquality_private_room_is_computed_for_a_member(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session, is_public=False)
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 2, 1))

    resp = airquality(
        client, world.room, JANUARY, headers=world.member_headers(session)
    )

    assert resp.status_code == 200
    assert resp.json["data"]["attributes"]["clean_air_medal"] is True


def test_airquality_unknown_room_is_not_found(client: FlaskClient) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/rooms/987654321/airquality/2024-01",
        404,
        unchanged=("samples", "installations"),
    )


def test_airquality_anonymous_sees_only_public_installations_samples(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session, to_time=berlin(2024, 1, 16))
    private = world.add_node(session, from_time=berlin(2024, 1, 16), is_public=False)
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 1, 16), co2_ppm=500)
    fill(session, private, berlin(2024, 1, 16), berlin(2024, 2, 1), co2_ppm=1600)

    days = _days(airquality(client, world.room, JANUARY))

    assert days["2024-01-10"]["mean_co2_ppm"] == 500.0
    assert days["2024-01-20"]["mean_co2_ppm"] is None


def test_airquality_member_sees_private_installations_samples_too(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session, to_time=berlin(2024, 1, 16))
    private = world.add_node(session, from_time=berlin(2024, 1, 16), is_public=False)
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 1, 16), co2_ppm=500)
    fill(session, private, berlin(2024, 1, 16), berlin(2024, 2, 1), co2_ppm=1600)

    resp = airquality(
        client, world.room, JANUARY, headers=world.member_headers(session)
    )

    assert _days(resp)["2024-01-20"]["mean_co2_ppm"] == 1600.0


def test_airquality_ignores_samples_from_before_the_installation(
    client: FlaskClient, session: Session
) -> None:
    # Managair took all of the node's samples, also from when it hung elsewhere.
    world = room_world(session, from_time=berlin(2024, 1, 16))
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 1, 15, 22), co2_ppm=1900)
    fill(session, world.node, berlin(2024, 1, 16), berlin(2024, 2, 1), co2_ppm=500)

    days = _days(airquality(client, world.room, JANUARY))

    assert days["2024-01-10"]["max_co2_ppm"] is None
    assert days["2024-01-16"]["max_co2_ppm"] == 500.0
    assert days["2024-01-20"]["max_co2_ppm"] == 500.0


def test_airquality_ignores_samples_from_after_the_installation(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session, to_time=berlin(2024, 1, 16))
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 2, 1), co2_ppm=500)

    days = _days(airquality(client, world.room, JANUARY))

    assert days["2024-01-15"]["is_valid"] is True
    assert days["2024-01-16"]["is_valid"] is False  # only its midnight point
    assert days["2024-01-17"]["max_co2_ppm"] is None


def test_airquality_simultaneous_nodes_count_by_their_highest_value(
    client: FlaskClient, session: Session
) -> None:
    # Two sensors in one large room: the worst corner decides.
    world = room_world(session)
    second = world.add_node(
        session,
        from_time=berlin(2024, 1, 10),
        to_time=berlin(2024, 1, 12),
        is_public=True,
    )
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 2, 1), co2_ppm=800)
    fill(session, second, berlin(2024, 1, 1), berlin(2024, 2, 1), co2_ppm=1600)

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200
    days = _days(resp)
    assert days["2024-01-09"]["max_co2_ppm"] == 800.0
    assert days["2024-01-10"]["mean_co2_ppm"] == 1600.0
    assert days["2024-01-11"]["mean_co2_ppm"] == 1600.0
    assert days["2024-01-13"]["max_co2_ppm"] == 800.0


def test_airquality_one_nodes_gap_is_filled_by_a_simultaneous_node(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)
    second = world.add_node(session, from_time=INSTALLED, is_public=True)
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 1, 16), co2_ppm=500)
    fill(session, second, berlin(2024, 1, 16), berlin(2024, 2, 1), co2_ppm=500)

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200
    assert all(d["is_valid"] for d in _days(resp).values())


def test_airquality_overlap_outside_the_window_does_not_conflict(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)
    world.add_node(
        session,
        from_time=berlin(2024, 3, 10),
        to_time=berlin(2024, 3, 12),
        is_public=True,
    )

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200


def test_airquality_installations_that_touch_do_not_conflict(
    client: FlaskClient, session: Session
) -> None:
    # The clients end an installation and start the next one at the same second.
    world = room_world(session, to_time=berlin(2024, 1, 16))
    nxt = world.add_node(session, from_time=berlin(2024, 1, 16), is_public=True)
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 1, 16))
    fill(session, nxt, berlin(2024, 1, 16), berlin(2024, 2, 1))

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200
    assert all(d["is_valid"] for d in _days(resp).values())


def test_airquality_invisible_overlapping_installation_does_not_conflict(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)
    world.add_node(session, from_time=berlin(2024, 1, 10), is_public=False)

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200


def test_airquality_other_rooms_nodes_do_not_count(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)
    stranger = make_node(session, owner=world.organization)
    fill(session, stranger, berlin(2024, 1, 1), berlin(2024, 2, 1), co2_ppm=1900)

    days = _days(airquality(client, world.room, JANUARY))

    assert {d["max_co2_ppm"] for d in days.values()} == {None}


def test_airquality_openapi_says_how_simultaneous_nodes_combine(
    client: FlaskClient,
) -> None:
    spec = client.get("/api/v1/schema/openapi.json").json
    assert spec is not None

    for path in (
        "/api/v1/rooms/{room_id}/airquality/",
        "/api/v1/rooms/{room_id}/airquality/{year_month}",
    ):
        assert "highest of their values" in spec["paths"][path]["get"]["description"]


def test_airquality_demo_teachers_room_with_two_sensors_answers_for_members(
    client: FlaskClient, session: Session
) -> None:
    # The demo's Lehrerzimmer had a loaned second sensor until ten days ago.
    load_demo(session, now=datetime(2026, 3, 10, 12, tzinfo=UTC))
    room = session.scalars(select(Room).where(Room.name == "Lehrerzimmer")).one()
    member = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == room.site.operator_id)
    ).first()
    assert member is not None

    resp = airquality(client, room, "2026-02", headers=auth_headers(session, member))

    assert resp.status_code == 200
    assert any(d["max_co2_ppm"] for d in _days(resp).values())
