"""Air quality: the test vectors of Managair §6.3 under the fixed rules, DST, no data.

Where the fixed behaviour differs from the reference's it is said in the test:
days are the local calendar days of the window (no extra one-point day at its
end), a sample exactly on a grid point is not blanked, the medal counts days
with an excess score > 0.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Room
from tests.factories import make_installation
from tests.support.airquality import airquality, berlin, fill, room_world
from tests.support.copy_series import Co2, insert_series

JANUARY = "2024-01"
JAN_START, JAN_END = berlin(2024, 1, 1), berlin(2024, 2, 1)


def _january(
    session: Session, co2_ppm: Co2 = 500, step: timedelta = timedelta(minutes=5)
) -> Room:
    world = room_world(session)
    fill(session, world.node, JAN_START, JAN_END, step=step, co2_ppm=co2_ppm)
    return world.room


def test_airquality_constant_500_month_awards_the_medal(
    client: FlaskClient, session: Session
) -> None:
    room = _january(session, co2_ppm=500)

    resp = airquality(client, room, JANUARY)

    assert resp.status_code == 200
    assert resp.json["data"]["attributes"]["clean_air_medal"] is True


def test_airquality_constant_500_month_has_31_valid_days_without_excess(
    client: FlaskClient, session: Session
) -> None:
    room = _january(session, co2_ppm=500)

    days = airquality(client, room, JANUARY).json["data"]["attributes"]["airq_days"]

    assert len(days) == 31
    assert all(d["is_valid"] and d["gap_duration_s"] == 0 for d in days)
    assert {(d["excess_score"], d["excess_duration_s"]) for d in days} == {(0.0, 0)}
    assert {(d["max_co2_ppm"], d["mean_co2_ppm"]) for d in days} == {(500.0, 500.0)}


def test_airquality_constant_500_month_histogram_fills_every_weekday(
    client: FlaskClient, session: Session
) -> None:
    room = _january(session, co2_ppm=500)

    hist = airquality(client, room, JANUARY).json["data"]["attributes"]["airq_hist"]

    assert list(hist) == ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    assert all(means == [500.0] * 24 for means in hist.values())


def test_airquality_constant_1600_scores_100_a_day_and_no_medal(
    client: FlaskClient, session: Session
) -> None:
    room = _january(session, co2_ppm=1600)

    attrs = airquality(client, room, JANUARY).json["data"]["attributes"]

    assert attrs["clean_air_medal"] is False
    assert {d["excess_score"] for d in attrs["airq_days"]} == {100.0}
    assert {d["excess_duration_s"] for d in attrs["airq_days"]} == {86400}


def test_airquality_40_minute_spacing_leaves_every_day_invalid_without_metrics(
    client: FlaskClient, session: Session
) -> None:
    room = _january(session, step=timedelta(minutes=40))

    attrs = airquality(client, room, JANUARY).json["data"]["attributes"]

    assert attrs["clean_air_medal"] is False
    assert all(not d["is_valid"] for d in attrs["airq_days"])
    assert {d["gap_duration_s"] for d in attrs["airq_days"]} == {86400}
    assert {d["max_co2_ppm"] for d in attrs["airq_days"]} == {None}
    assert all(means == [] for means in attrs["airq_hist"].values())


def test_airquality_25_minute_spacing_has_no_gaps(
    client: FlaskClient, session: Session
) -> None:
    # The reference also blanked the first grid point (gap-end quirk); fixed here.
    room = _january(session, step=timedelta(minutes=25))

    attrs = airquality(client, room, JANUARY).json["data"]["attributes"]

    assert {d["gap_duration_s"] for d in attrs["airq_days"]} == {0}
    assert attrs["clean_air_medal"] is True
    assert all(len(means) == 24 for means in attrs["airq_hist"].values())


def _co2_by_utc_hour(moment: datetime) -> int:
    return 500 + 20 * moment.astimezone(UTC).hour


HOURLY_PROFILE_UTC_PLUS_1 = [960.0] + [500.0 + 20 * h for h in range(23)]


def test_airquality_winter_month_profile_follows_berlin_hours(
    client: FlaskClient, session: Session
) -> None:
    room = _january(session, co2_ppm=_co2_by_utc_hour)

    hist = airquality(client, room, JANUARY).json["data"]["attributes"]["airq_hist"]

    assert all(means == HOURLY_PROFILE_UTC_PLUS_1 for means in hist.values())


def test_airquality_past_30_days_profile_per_weekday(
    app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A zone fixed at UTC+1 (Berlin's winter time) keeps this independent of the date.
    monkeypatch.setitem(app.config, "ANALYSIS_TIMEZONE", "Etc/GMT-1")
    now = datetime.now(UTC)
    start = (now - timedelta(days=32)).replace(minute=0, second=0, microsecond=0)
    world = room_world(session, from_time=start)
    fill(session, world.node, start, now, co2_ppm=_co2_by_utc_hour)

    attrs = airquality(client, world.room).json["data"]["attributes"]

    assert attrs["to_timestamp_s"] - attrs["from_timestamp_s"] == 30 * 86400
    assert attrs["to_timestamp_s"] <= now.timestamp()
    assert all(
        means == HOURLY_PROFILE_UTC_PLUS_1 for means in attrs["airq_hist"].values()
    )
    assert attrs["clean_air_medal"] is True


@pytest.mark.parametrize(
    ("month", "dst_day", "length_s"),
    [("2024-03", "2024-03-31", 23 * 3600), ("2024-10", "2024-10-27", 25 * 3600)],
)
def test_airquality_dst_day_has_its_real_length(
    client: FlaskClient, session: Session, month: str, dst_day: str, length_s: int
) -> None:
    world = room_world(session)
    year, mon = map(int, month.split("-"))
    fill(session, world.node, berlin(year, mon, 1), berlin(year, mon + 1, 1))

    attrs = airquality(client, world.room, month).json["data"]["attributes"]

    day = next(d for d in attrs["airq_days"] if d["date"] == dst_day)
    assert day["to_timestamp_s"] - day["from_timestamp_s"] == length_s
    assert all(d["is_valid"] and d["gap_duration_s"] == 0 for d in attrs["airq_days"])
    assert attrs["clean_air_medal"] is True


def test_airquality_month_bounds_are_berlin_midnights(
    client: FlaskClient, session: Session
) -> None:
    # The reference used UTC: 1601510400 ... 1604188800.
    world = room_world(session)

    attrs = airquality(client, world.room, "2020-10").json["data"]["attributes"]

    assert attrs["from_timestamp_s"] == 1601503200  # 2020-10-01 00:00 CEST
    assert attrs["to_timestamp_s"] == 1604185200  # 2020-11-01 00:00 CET


def test_airquality_window_without_samples_answers_no_medal_and_empty_lists(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200
    attrs = resp.json["data"]["attributes"]
    assert attrs["clean_air_medal"] is False
    assert attrs["airq_hist"] == {
        d: [] for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
    }
    assert len(attrs["airq_days"]) == 31
    assert {(d["is_valid"], d["mean_co2_ppm"]) for d in attrs["airq_days"]} == {
        (False, None)
    }


def test_airquality_window_before_any_installation_answers_no_medal(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session, from_time=berlin(2024, 6, 1))

    resp = airquality(client, world.room, JANUARY)

    assert resp.status_code == 200
    assert resp.json["data"]["attributes"]["clean_air_medal"] is False


def test_airquality_sample_where_installations_touch_counts_once(
    client: FlaskClient, session: Session
) -> None:
    # An installation ended and the next one of the same node started at 12:00:
    # the sample at that instant came through both and counted twice, so alone on
    # a grid point it passed for a sample with a neighbour and gave the day data.
    touch = berlin(2024, 1, 15, 12)
    world = room_world(session, to_time=touch)
    make_installation(
        session, node=world.node, room=world.room, from_time=touch, is_public=True
    )
    insert_series(session, world.node.id, touch, touch, co2_ppm=900)
    alone = berlin(2024, 1, 16, 12)  # the same lone sample where nothing touches
    insert_series(session, world.node.id, alone, alone, co2_ppm=900)

    days = airquality(client, world.room, JANUARY).json["data"]["attributes"][
        "airq_days"
    ]

    figures = [(d["gap_duration_s"], d["max_co2_ppm"]) for d in days[14:16]]
    assert figures == [(86400, None), (86400, None)]
