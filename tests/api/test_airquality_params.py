"""Air quality: URL forms, the month segment, the opt-in flags, the document shape."""

from __future__ import annotations

import time

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.support.airquality import airquality, room_world


@pytest.mark.parametrize(
    "month",
    ["2020-13", "2020-00", "2020-1", "20-10", "2020_10", "abcd", "1969-12", "2038-01"],
)
def test_airquality_malformed_month_is_400_naming_the_parameter(
    client: FlaskClient, session: Session, month: str
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, month)

    assert resp.status_code == 400
    error = resp.json["errors"][0]
    assert error["source"] == {"parameter": "year_month"}
    assert month in error["detail"]


def test_airquality_document_is_a_room_airquality_resource(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, "2024-01", query="")

    assert resp.mimetype == "application/vnd.api+json"
    data = resp.json["data"]
    assert data["type"] == "room-airquality"
    assert data["id"] == str(world.room.id)
    assert data["links"]["self"] == f"http://localhost/api/v1/rooms/{world.room.id}/"
    assert list(data["attributes"]) == [
        "query_timestamp_s",
        "from_timestamp_s",
        "to_timestamp_s",
        "clean_air_medal",
    ]


def test_airquality_query_timestamp_is_the_request_time(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)
    before = int(time.time())

    resp = airquality(client, world.room, "2024-01", query="")

    assert before <= resp.json["data"]["attributes"]["query_timestamp_s"] <= time.time()


@pytest.mark.parametrize("word", ["true", "True", "TRUE", "1"])
def test_airquality_histogram_flag_accepts_true_and_1(
    client: FlaskClient, session: Session, word: str
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, "2024-01", query=f"include_histogram={word}")

    assert "airq_hist" in resp.json["data"]["attributes"]
    assert "airq_days" not in resp.json["data"]["attributes"]


@pytest.mark.parametrize("word", ["false", "0", "yes", ""])
def test_airquality_histogram_flag_other_words_leave_it_out(
    client: FlaskClient, session: Session, word: str
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, "2024-01", query=f"include_histogram={word}")

    assert resp.status_code == 200
    assert "airq_hist" not in resp.json["data"]["attributes"]


def test_airquality_days_flag_adds_the_daily_table(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, "2024-02", query="include_days=TRUE")

    days = resp.json["data"]["attributes"]["airq_days"]
    assert [d["date"] for d in days][:2] == ["2024-02-01", "2024-02-02"]
    assert len(days) == 29
    assert set(days[0]) == {
        "date",
        "from_timestamp_s",
        "to_timestamp_s",
        "is_valid",
        "gap_duration_s",
        "max_co2_ppm",
        "mean_co2_ppm",
        "excess_duration_s",
        "excess_score",
    }


def test_airquality_openapi_lets_a_day_without_data_be_null(
    client: FlaskClient, session: Session
) -> None:
    # A day without data answers null figures; the document called
    # excess_duration_s a plain integer, so a client generated from it broke.
    world = room_world(session)
    spec = client.get("/api/v1/schema/openapi.json").json
    assert spec is not None
    schema = spec["components"]["schemas"]["AirQualityDay"]["properties"]

    day = airquality(client, world.room, "2024-02").json["data"]["attributes"][
        "airq_days"
    ][0]

    nulls = sorted(key for key, value in day.items() if value is None)
    assert nulls == ["excess_duration_s", "excess_score", "max_co2_ppm", "mean_co2_ppm"]
    assert [key for key in nulls if not schema[key].get("nullable")] == []


def test_airquality_unknown_query_parameters_are_ignored(
    client: FlaskClient, session: Session
) -> None:
    world = room_world(session)

    resp = airquality(client, world.room, "2024-01", query="sort=x&page[size]=abc")

    assert resp.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/airquality", "/airquality/", "/airquality/2024-01", "/airquality/2024-01/"],
)
def test_airquality_answers_with_and_without_trailing_slash(
    client: FlaskClient, session: Session, path: str
) -> None:
    world = room_world(session)

    resp = client.get(f"/api/v1/rooms/{world.room.id}{path}?include_histogram=True")

    assert resp.status_code == 200
    assert resp.json is not None
    assert "airq_hist" in resp.json["data"]["attributes"]
