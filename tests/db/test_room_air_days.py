"""The dashboard's daily air-quality rollup: months assembled from stored days and
today's raw samples equal the raw month analysis (``room_air_quality``), for a
member's and the public's view, also after a late sample into a past day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flask import Flask

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.jobs import tasks
from app.models import RoomAirDay
from app.services.access import ANONYMOUS, SYSTEM
from app.services.airquality import AirQualityQuery, YearMonth, room_air_quality
from app.services.dashboard import rollup
from app.services.dashboard.month import month_air
from app.services.series import aggregates
from tests.factories import make_samples
from tests.support.airquality import berlin, fill, room_world

MONTH = YearMonth(2024, 3)  # with the switch to summer time on the 31st
ZONE = "Europe/Berlin"
NOW = datetime(2024, 3, 31, 9, 0, tzinfo=UTC)  # today: the 31st, partly past


def _wavy(moment: datetime) -> int:
    """CO2 between 500 and 2200 ppm: clean, yellow and red hours and days."""
    return 500 + (moment.hour * 97 + moment.minute * 7 + moment.day * 53) % 1700


def _raw(session: Session, room_id: int, actor: object) -> object:
    return room_air_quality(
        session,
        actor,  # type: ignore[arg-type]
        AirQualityQuery(room_id, MONTH, include_histogram=True, include_days=True),
        timezone=ZONE,
        now=NOW,
    )


def _roll_up(session: Session, now: datetime = NOW) -> rollup.RollupResult:
    while not aggregates.refresh(session, until=now).caught_up:
        pass
    return rollup.refresh(
        session, SYSTEM, timezone=ZONE, now=now, days_back=30, max_days=40
    )


def _medals(session: Session, rooms: list[int], now: datetime) -> dict[int, bool]:
    """The medals as the overview decides them, checked against the raw analysis."""
    medals = month_air(
        session, SYSTEM, rooms, MONTH, timezone=ZONE, now=now, detail=False
    )
    found = {r: medals[r].clean_air_medal for r in rooms}
    raw = {
        r: room_air_quality(
            session, SYSTEM, AirQualityQuery(r, MONTH), timezone=ZONE, now=now
        ).clean_air_medal
        for r in rooms
    }
    assert found == raw
    return found


def _stored_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RoomAirDay)) or 0


def test_months_from_the_rollup_equal_the_raw_analysis(session: Session) -> None:
    world = room_world(session, is_public=False)
    fill(session, world.node, berlin(2024, 3, 1), berlin(2024, 3, 9), co2_ppm=_wavy)
    fill(session, world.node, berlin(2024, 3, 11, 13), NOW, co2_ppm=_wavy)
    public = world.add_node(session, from_time=berlin(2024, 3, 4), is_public=True)
    fill(session, public, berlin(2024, 3, 4), NOW, step=timedelta(minutes=7))

    result = _roll_up(session)

    assert result.days_written == 30  # the 1st to the 30th; today stays raw
    assert _stored_rows(session) > 30  # members' and the public's views differ
    for actor in (SYSTEM, ANONYMOUS):
        stored = month_air(
            session, actor, [world.room.id], MONTH, timezone=ZONE, now=NOW
        )
        assert stored[world.room.id] == _raw(session, world.room.id, actor)

    # A late sample into a past day: the next run recomputes the days whose window
    # shares its UTC day (the fingerprint's grain): the 10th and the 11th.
    make_samples(session, world.node, berlin(2024, 3, 10, 3), count=2, co2_ppm=2500)
    again = _roll_up(session)

    assert again.days_written == 2
    stored = month_air(session, SYSTEM, [world.room.id], MONTH, timezone=ZONE, now=NOW)
    assert stored[world.room.id] == _raw(session, world.room.id, SYSTEM)


def test_pages_read_the_stored_days(session: Session) -> None:
    world = room_world(session)
    fill(session, world.node, berlin(2024, 3, 1), NOW, co2_ppm=700)
    _roll_up(session)
    assert month_air(session, SYSTEM, [world.room.id], MONTH, timezone=ZONE, now=NOW)[
        world.room.id
    ].clean_air_medal

    # A stored day says 2400 ppm: the month now reads it instead of the samples.
    session.execute(
        update(RoomAirDay)
        .where(RoomAirDay.day == berlin(2024, 3, 5).date())
        .values(co2_max=2400.0)
    )
    quality = month_air(session, SYSTEM, [world.room.id], MONTH, timezone=ZONE, now=NOW)

    assert not quality[world.room.id].clean_air_medal


def test_a_changed_installation_is_not_read_from_the_rollup(session: Session) -> None:
    world = room_world(session)
    fill(session, world.node, berlin(2024, 3, 1), NOW, co2_ppm=700)
    _roll_up(session)
    # Ended on the 10th after the rollup ran: too few valid days for a medal now.
    world.installation.to_time = berlin(2024, 3, 10)
    session.flush()

    quality = month_air(session, SYSTEM, [world.room.id], MONTH, timezone=ZONE, now=NOW)

    assert quality[world.room.id] == _raw(session, world.room.id, SYSTEM)
    assert not quality[world.room.id].clean_air_medal


def test_the_jobs_process_rolls_up_yesterday(app: Flask, session: Session) -> None:
    now = datetime.now(UTC)
    world = room_world(session)
    fill(session, world.node, now - timedelta(days=3), now - timedelta(hours=1))
    while not aggregates.refresh(session, until=now).caught_up:
        pass

    result = tasks.roll_up_room_days(session)

    assert result["rows_written"] >= 1
    assert session.scalar(
        select(func.count())
        .select_from(RoomAirDay)
        .where(RoomAirDay.room_id == world.room.id)
    )


def test_days_after_the_last_sample_equal_the_raw_analysis(session: Session) -> None:
    world = room_world(session)
    fill(
        session, world.node, berlin(2024, 3, 1), berlin(2024, 3, 25, 14), co2_ppm=_wavy
    )
    earlier = datetime(2024, 3, 20, 12, tzinfo=UTC)  # nothing stored: all raw

    quality = month_air(
        session, SYSTEM, [world.room.id], MONTH, timezone=ZONE, now=earlier
    )

    assert quality[world.room.id] == _raw(session, world.room.id, SYSTEM)


def test_medals_of_many_rooms_equal_the_raw_analysis(session: Session) -> None:
    clean, wavy, short = (room_world(session) for _ in range(3))
    fill(session, clean.node, berlin(2024, 3, 1), NOW, co2_ppm=650)
    fill(session, wavy.node, berlin(2024, 3, 1), NOW, co2_ppm=_wavy)
    fill(session, short.node, berlin(2024, 3, 20), NOW, co2_ppm=650)
    _roll_up(session)

    medals = _medals(session, [clean.room.id, wavy.room.id, short.room.id], NOW)

    assert medals == {clean.room.id: True, wavy.room.id: False, short.room.id: False}


def test_this_months_medal_weighs_only_the_days_so_far(session: Session) -> None:
    # The 8th at noon: seven days are over, 23 are still to come.
    now = berlin(2024, 3, 8, 12)
    clean, late, stopped = (room_world(session) for _ in range(3))
    fill(session, clean.node, berlin(2024, 3, 1), now, co2_ppm=650)
    fill(session, late.node, berlin(2024, 3, 5), now, co2_ppm=650)  # 3 of 7 days
    fill(session, stopped.node, berlin(2024, 3, 1), berlin(2024, 3, 4), co2_ppm=650)
    rooms = [clean.room.id, late.room.id, stopped.room.id]
    _roll_up(session, now)

    medals = _medals(session, rooms, now)
    detailed = month_air(session, SYSTEM, rooms, MONTH, timezone=ZONE, now=now)

    assert medals == {clean.room.id: True, late.room.id: False, stopped.room.id: False}
    assert {r: detailed[r].clean_air_medal for r in rooms} == medals


@pytest.mark.parametrize(
    "now", [berlin(2024, 3, 31, 22, 50), berlin(2024, 3, 31, 23, 10)]
)
def test_a_medal_weighs_today_once_it_can_be_a_valid_day(
    session: Session, now: datetime
) -> None:
    # Clean air all month, bad air today from 17:35: a red day once valid.
    world = room_world(session)
    fill(session, world.node, berlin(2024, 3, 1), berlin(2024, 3, 31, 17), co2_ppm=650)
    last = now - timedelta(minutes=30)  # fill adds 30 minutes: the last at now
    fill(session, world.node, berlin(2024, 3, 31, 18, 5), last, co2_ppm=2500)
    _roll_up(session, now)

    assert _medals(session, [world.room.id], now) == {world.room.id: False}


@pytest.mark.parametrize(
    ("last", "medal"),
    [
        # A node whose clock runs a day ahead: today is complete, and red.
        (berlin(2024, 4, 1), False),
        # Today cannot be valid at 11:00 without later samples: clean air wins.
        (NOW, True),
    ],
)
def test_a_medal_weighs_today_only_when_it_can_be_valid(
    session: Session, last: datetime, medal: bool
) -> None:
    world = room_world(session)
    fill(session, world.node, berlin(2024, 3, 1), berlin(2024, 3, 30, 23), co2_ppm=650)
    # fill adds 30 minutes either side: bad air from 00:05, the last sample at last
    fill(
        session,
        world.node,
        berlin(2024, 3, 31, 0, 35),
        last - timedelta(minutes=30),
        co2_ppm=2500,
    )
    _roll_up(session)

    assert _medals(session, [world.room.id], NOW) == {world.room.id: medal}
