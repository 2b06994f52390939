"""The analytics views, read by the application role (which sees everything)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Room
from tests.factories import make_installation
from tests.support.airquality import BERLIN, airquality, berlin, fill, room_world
from tests.support.copy_series import insert_series

VIEWS = (
    "installation_samples",
    "installation_hourly",
    "installation_daily",
    "room_daily",
    "analysis_zone",
)


def _rows(session: Session, sql: str, **params: object) -> list[dict[str, object]]:
    return [dict(r._mapping) for r in session.execute(text(sql), params)]


@pytest.mark.parametrize("view", VIEWS)
def test_analytics_view_and_every_column_are_documented(
    session: Session, view: str
) -> None:
    comment = session.execute(
        text("SELECT obj_description(CAST(:v AS regclass), 'pg_class')"),
        {"v": f"analytics.{view}"},
    ).scalar_one()
    columns = _rows(
        session,
        "SELECT a.attname, col_description(a.attrelid, a.attnum) AS doc "
        "FROM pg_attribute AS a WHERE a.attrelid = CAST(:v AS regclass) "
        "AND a.attnum > 0 AND NOT a.attisdropped",
        v=f"analytics.{view}",
    )

    assert comment
    assert columns
    assert [c["attname"] for c in columns if not c["doc"]] == []


def test_analytics_samples_are_clipped_to_the_installation_window(
    session: Session,
) -> None:
    world = room_world(
        session, from_time=berlin(2024, 1, 2), to_time=berlin(2024, 1, 3)
    )
    insert_series(session, world.node.id, berlin(2024, 1, 1), berlin(2024, 1, 4))

    row = _rows(
        session,
        "SELECT count(*) AS n, min(time) AS first, max(time) AS last "
        "FROM analytics.installation_samples WHERE installation_id = :i",
        i=world.installation.id,
    )[0]

    assert row["n"] == 24 * 12 + 1  # both ends inclusive
    assert row["first"] == berlin(2024, 1, 2)
    assert row["last"] == berlin(2024, 1, 3)


def test_analytics_samples_name_organization_site_room_node(session: Session) -> None:
    world = room_world(session, from_time=berlin(2024, 1, 1))
    insert_series(session, world.node.id, berlin(2024, 1, 1), berlin(2024, 1, 1))

    row = _rows(
        session,
        "SELECT organization_id, organization_name, site_id, room_id, room_name, "
        "node_id, is_public FROM analytics.installation_samples "
        "WHERE installation_id = :i",
        i=world.installation.id,
    )[0]

    assert row == {
        "organization_id": world.organization.id,
        "organization_name": world.organization.name,
        "site_id": world.room.site_id,
        "room_id": world.room.id,
        "room_name": world.room.name,
        "node_id": world.node.id,
        "is_public": True,
    }


def test_analytics_daily_counts_local_days_of_real_length(session: Session) -> None:
    world = room_world(session)
    insert_series(
        session,
        world.node.id,
        berlin(2024, 3, 30),
        berlin(2024, 4, 1) - timedelta(minutes=5),
    )

    rows = _rows(
        session,
        "SELECT day, sample_count FROM analytics.installation_daily "
        "WHERE installation_id = :i ORDER BY day",
        i=world.installation.id,
    )

    assert [(str(r["day"]), r["sample_count"]) for r in rows] == [
        ("2024-03-30", 288),
        ("2024-03-31", 276),
    ]


def test_analytics_hourly_aggregates_per_local_hour(session: Session) -> None:
    world = room_world(session)
    insert_series(
        session,
        world.node.id,
        berlin(2024, 1, 1),
        berlin(2024, 1, 1, 1, 55),
        co2_ppm=lambda t: 400 + t.minute,
    )

    rows = _rows(
        session,
        "SELECT hour, sample_count, co2_min_ppm, co2_max_ppm, co2_mean_ppm "
        "FROM analytics.installation_hourly WHERE installation_id = :i ORDER BY hour",
        i=world.installation.id,
    )

    assert [r["hour"] for r in rows] == [berlin(2024, 1, 1), berlin(2024, 1, 1, 1)]
    assert {(r["sample_count"], r["co2_min_ppm"], r["co2_max_ppm"]) for r in rows} == {
        (12, 400, 455)
    }
    assert rows[0]["co2_mean_ppm"] == pytest.approx(427.5)


def _assert_room_daily_matches_api(
    client: FlaskClient, session: Session, room: Room, month: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Compare the room's days in ``analytics.room_daily`` with the API's daily
    table of ``month`` (the days with samples); return the API's days and the view's."""
    api: list[dict[str, Any]] = airquality(client, room, month).json["data"][
        "attributes"
    ]["airq_days"]
    view = _rows(
        session,
        "SELECT * FROM analytics.room_daily WHERE room_id = :r "
        "AND day BETWEEN :first AND :last ORDER BY day",
        r=room.id,
        first=api[0]["date"],
        last=api[-1]["date"],
    )
    by_date = {d["date"]: d for d in api}
    assert view
    for row in view:
        day = by_date[str(row["day"])]
        assert row["is_valid"] is day["is_valid"], day["date"]
        assert row["gap_duration_s"] == day["gap_duration_s"], day["date"]
        assert row["excess_duration_s"] == day["excess_duration_s"], day["date"]
        for key in ("max_co2_ppm", "mean_co2_ppm", "excess_score"):
            expected, actual = day[key], row[key]
            assert (actual is None) == (expected is None), (day["date"], key)
            if expected is not None:
                assert isinstance(actual, float)
                assert math.isclose(actual, expected, abs_tol=0.006), (day["date"], key)
    return api, view


def _march_profile(moment: datetime) -> int:
    """CO2 with peaks above 1500 ppm in the afternoons and a spike on the 5th."""
    t = moment.astimezone(BERLIN)
    if t.day == 5 and t.hour == 12:
        return 2100
    return 700 + (1000 if 14 <= t.hour < 16 else 0) + 10 * (t.minute % 7)


def test_analytics_room_daily_matches_the_api_daily_table(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)
    node = world.node.id
    # regular data with DST, a 2-hour hole on the 10th, 40-minute spacing on the 20th
    insert_series(
        session,
        node,
        berlin(2024, 2, 29, 23),
        berlin(2024, 3, 10, 8),
        co2_ppm=_march_profile,
    )
    insert_series(
        session,
        node,
        berlin(2024, 3, 10, 10),
        berlin(2024, 3, 20),
        co2_ppm=_march_profile,
    )
    insert_series(
        session,
        node,
        berlin(2024, 3, 20, 0, 40),
        berlin(2024, 3, 21),
        step=timedelta(minutes=40),
    )
    fill(
        session,
        world.node,
        berlin(2024, 3, 21, 0, 35),
        berlin(2024, 4, 1),
        co2_ppm=_march_profile,
    )

    api, view = _assert_room_daily_matches_api(client, session, world.room, "2024-03")

    assert [str(v["day"]) for v in view] == [d["date"] for d in api]
    assert {d["is_valid"] for d in api} == {True, False}
    assert any(d["excess_score"] for d in api)


def test_analytics_room_daily_takes_the_highest_of_simultaneous_nodes(
    client: FlaskClient, session: Session
) -> None:
    # Two sensors in one room, as the API: each node has its own grid and the room
    # takes the highest value. The view bucketed both nodes' samples together, so
    # it interpolated between different sensors, and two nodes sampling every 40
    # minutes, 20 minutes apart, passed for one sampling every 20 minutes.
    world = room_world(session)
    second = world.add_node(session, from_time=berlin(2024, 1, 1), is_public=True)
    fill(session, world.node, berlin(2024, 1, 1), berlin(2024, 1, 3), co2_ppm=800)
    fill(session, second, berlin(2024, 1, 2), berlin(2024, 1, 3), co2_ppm=1600)
    forty = timedelta(minutes=40)
    insert_series(
        session, world.node.id, berlin(2024, 1, 10), berlin(2024, 1, 11), forty
    )
    insert_series(
        session, second.id, berlin(2024, 1, 10, 0, 20), berlin(2024, 1, 11), forty
    )

    api, _ = _assert_room_daily_matches_api(client, session, world.room, "2024-01")

    days = {d["date"]: d for d in api}
    assert days["2024-01-02"]["mean_co2_ppm"] == 1600.0
    assert days["2024-01-10"]["max_co2_ppm"] is None


def test_analytics_room_daily_counts_a_sample_once_where_installations_touch(
    client: FlaskClient, session: Session
) -> None:
    # An installation ended and the next one of the same node began at 12:00: the
    # lone sample at that instant came through both, counted twice and passed for a
    # sample with a neighbour (the API was fixed not to do that).
    touch = berlin(2024, 1, 15, 12)
    world = room_world(session, to_time=touch)
    make_installation(
        session, node=world.node, room=world.room, from_time=touch, is_public=True
    )
    insert_series(session, world.node.id, touch, touch, co2_ppm=900)

    _assert_room_daily_matches_api(client, session, world.room, "2024-01")

    row = _rows(
        session,
        "SELECT sample_count, gap_duration_s, max_co2_ppm FROM analytics.room_daily "
        "WHERE room_id = :r",
        r=world.room.id,
    )
    assert row == [{"sample_count": 1, "gap_duration_s": 86400, "max_co2_ppm": None}]


def test_analytics_app_role_sees_every_organization(session: Session) -> None:
    worlds = [room_world(session, is_public=False) for _ in range(2)]
    for world in worlds:
        insert_series(session, world.node.id, berlin(2024, 1, 1), berlin(2024, 1, 1, 1))

    orgs = session.execute(
        text(
            "SELECT DISTINCT organization_id FROM analytics.installation_samples "
            "WHERE organization_id IN (:a, :b)"
        ),
        {"a": worlds[0].organization.id, "b": worlds[1].organization.id},
    ).scalars()

    assert set(orgs) == {w.organization.id for w in worlds}
