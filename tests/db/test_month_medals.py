"""The medals of many rooms in one pass (``month_air`` without detail, as the
overview and public pages read them): the same verdicts as each room's own
analysis (``room_air_quality``), by the same visibility."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.services.access import ANONYMOUS, SYSTEM, Actor
from app.services.airquality import AirQualityQuery, YearMonth, room_air_quality
from app.services.dashboard.month import month_air
from tests.factories import make_installation
from tests.support.airquality import berlin, fill, room_world

MONTH = YearMonth(2024, 3)
ZONE = "Europe/Berlin"
NOW = datetime(2024, 4, 2, tzinfo=UTC)


def month_medals(
    session: Session, actor: Actor, rooms: list[int], month: YearMonth, zone: str
) -> dict[int, bool]:
    found = month_air(
        session, actor, rooms, month, timezone=zone, now=NOW, detail=False
    )
    return {room: quality.clean_air_medal for room, quality in found.items()}


def _own_medal(session: Session, room_id: int, actor: object = SYSTEM) -> bool:
    quality = room_air_quality(
        session,
        actor,  # type: ignore[arg-type]
        AirQualityQuery(room_id, MONTH),
        timezone=ZONE,
        now=NOW,
    )
    return quality.clean_air_medal


def test_month_medals_agree_with_each_rooms_analysis(session: Session) -> None:
    clean, stuffy, partly = (room_world(session) for _ in range(3))
    start, stop = berlin(2024, 3, 1), berlin(2024, 4, 1)
    fill(session, clean.node, start, stop, co2_ppm=700)
    fill(session, stuffy.node, start, stop, co2_ppm=2400)
    fill(session, partly.node, start, berlin(2024, 3, 10), co2_ppm=700)
    # A second sensor in the clean room that is stuffy: the worst corner decides.
    fill(session, clean.add_node(session, from_time=berlin(2024, 3, 20)), start, stop)
    rooms = [w.room.id for w in (clean, stuffy, partly)]

    medals = month_medals(session, SYSTEM, rooms, MONTH, ZONE)

    assert medals == {room: _own_medal(session, room) for room in rooms}
    assert medals == {clean.room.id: True, stuffy.room.id: False, partly.room.id: False}


def test_month_medals_count_only_installations_the_actor_sees(
    session: Session,
) -> None:
    world = room_world(session, is_public=False)
    start, stop = berlin(2024, 3, 1), berlin(2024, 4, 1)
    fill(session, world.node, start, stop, co2_ppm=2400)
    public = world.add_node(session, from_time=start, is_public=True)
    fill(session, public, start, stop, co2_ppm=700)

    members = month_medals(session, SYSTEM, [world.room.id], MONTH, ZONE)
    anyone = month_medals(session, ANONYMOUS, [world.room.id], MONTH, ZONE)

    assert members == {world.room.id: False}  # the stuffy private sensor counts
    assert anyone == {world.room.id: True}  # anyone sees the clean public one only
    assert anyone[world.room.id] == _own_medal(session, world.room.id, ANONYMOUS)


def test_month_medals_of_a_node_moved_between_rooms_stay_apart(
    session: Session,
) -> None:
    first = room_world(session, to_time=berlin(2024, 3, 15))
    second = room_world(session)
    fill(session, first.node, berlin(2024, 3, 1), berlin(2024, 4, 1), co2_ppm=700)
    # From the 15th the node hangs in the second room: each room has half a month.
    make_installation(
        session, node=first.node, room=second.room, from_time=berlin(2024, 3, 15)
    )
    rooms = [first.room.id, second.room.id]

    medals = month_medals(session, SYSTEM, rooms, MONTH, ZONE)

    assert medals == {room: _own_medal(session, room) for room in rooms}
    assert medals == {first.room.id: False, second.room.id: False}
