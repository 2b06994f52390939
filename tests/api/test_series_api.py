"""``GET /api/v1/installations/<id>/series/`` and ``/api/v1/nodes/<id>/series/``."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.series.epoch import from_epoch, to_epoch
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused
from tests.support.worlds import SERIES_END as END
from tests.support.worlds import SERIES_START as START
from tests.support.worlds import SeriesWorld, series_world


@pytest.fixture
def world(session: Session) -> SeriesWorld:
    return series_world(session)


def _url(world: SeriesWorld, which: str = "public") -> str:
    installation = world.public if which == "public" else world.private
    return f"/api/v1/installations/{installation.id}/series/"


def test_installation_series_public_is_readable_anonymously(
    client: FlaskClient, world: SeriesWorld
) -> None:
    resp = client.get(_url(world), query_string={"resolution": "1h"})

    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.api+json"
    data = resp.json["data"]  # type: ignore[index]
    assert data["type"] == "Installation-Series"
    assert data["id"] == str(world.public.id)
    attributes = data["attributes"]
    assert attributes["resolution"] == "1h"
    assert len(attributes["timestamps_s"]) == 24
    assert set(attributes) >= {
        "co2_ppm_avg",
        "temperature_celsius_avg",
        "rel_humidity_percent_avg",
    }


def test_installation_series_is_clipped_to_the_installation(
    client: FlaskClient, world: SeriesWorld
) -> None:
    resp = client.get(
        _url(world),
        query_string={
            "resolution": "raw",
            "filter[from]": str(to_epoch(START - timedelta(days=5))),
            "filter[to]": str(to_epoch(END)),
        },
    )

    stamps = resp.json["data"]["attributes"]["timestamps_s"]  # type: ignore[index]
    assert min(stamps) >= to_epoch(START)
    assert max(stamps) < to_epoch(START + timedelta(days=1))


def test_installation_series_private_is_404_for_anonymous_and_strangers(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    stranger = auth_headers(session, world.people.outsider)

    assert_refused(client, "GET", _url(world, "private"), 404, unchanged=())
    assert_refused(
        client, "GET", _url(world, "private"), 404, headers=stranger, unchanged=()
    )


def test_installation_series_private_is_readable_by_an_inspector(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    resp = client.get(
        _url(world, "private"), headers=auth_headers(session, world.people.inspector)
    )

    assert resp.status_code == 200


def test_node_series_anonymous_is_401(client: FlaskClient, world: SeriesWorld) -> None:
    resp = client.get(f"/api/v1/nodes/{world.node.id}/series/")

    assert resp.status_code == 401
    assert resp.json["errors"][0]["code"] == "not_authenticated"  # type: ignore[index]


def test_node_series_of_a_stranger_is_404(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    assert_refused(
        client,
        "GET",
        f"/api/v1/nodes/{world.node.id}/series/",
        404,
        headers=auth_headers(session, world.people.outsider),
        unchanged=("samples",),
    )


def test_node_series_spans_both_installations_for_members(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    resp = client.get(
        f"/api/v1/nodes/{world.node.id}/series/",
        query_string={"resolution": "1d", "tz": "UTC", "aggregates": "count,max"},
        headers=auth_headers(session, world.people.owner),
    )

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert resp.json["data"]["type"] == "Node-Series"  # type: ignore[index]
    assert attributes["timestamps_s"] == [to_epoch(START), to_epoch(START) + 86400]
    assert all(n > 150 for n in attributes["co2_ppm_count"])
    assert "co2_ppm_avg" not in attributes


@pytest.mark.parametrize("max_points", [100, 2])
def test_node_series_auto_keeps_max_points_whatever_the_extent(
    client: FlaskClient, session: Session, world: SeriesWorld, max_points: int
) -> None:
    # A sensor with an unset clock sent a sample at 1970-01-01 (stored earlier).
    session.execute(
        text("INSERT INTO samples (node_id, time, co2_ppm) VALUES (:n, :t, 500)"),
        {"n": world.node.id, "t": from_epoch(0)},
    )
    session.commit()

    resp = client.get(
        f"/api/v1/nodes/{world.node.id}/series/",
        query_string={"tz": "UTC", "aggregates": "count", "max_points": max_points},
        headers=auth_headers(session, world.people.owner),
    )

    assert resp.status_code == 200
    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    last_day = to_epoch(END) - 86400
    assert attributes["resolution"] == "1d"
    assert len(attributes["timestamps_s"]) == max_points
    assert attributes["timestamps_s"][-1] == last_day
    # The answer says where it starts: the newest days, not the 1970 sample.
    first_day = last_day - (max_points - 1) * 86400
    assert attributes["from_timestamp_s"] == first_day
    assert attributes["timestamps_s"][0] == first_day
    assert sum(attributes["co2_ppm_count"][-2:]) > 300


def test_series_empty_buckets_are_null_with_zero_count(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    session.execute(
        text("DELETE FROM samples WHERE node_id = :n AND time >= :a AND time < :b"),
        {
            "n": world.node.id,
            "a": START + timedelta(hours=3),
            "b": START + timedelta(hours=4),
        },
    )

    resp = client.get(
        _url(world), query_string={"resolution": "1h", "aggregates": "avg,count"}
    )

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    hour = attributes["timestamps_s"].index(to_epoch(START) + 3 * 3600)
    assert attributes["co2_ppm_avg"][hour] is None
    assert attributes["co2_ppm_count"][hour] == 0


@pytest.mark.parametrize(
    ("query", "headers"),
    [({"format": "csv"}, {}), ({}, {"Accept": "text/csv"})],
    ids=["format", "accept"],
)
def test_series_csv_by_format_or_accept(
    client: FlaskClient,
    world: SeriesWorld,
    query: dict[str, str],
    headers: dict[str, str],
) -> None:
    resp = client.get(
        _url(world),
        query_string={"resolution": "1h", "aggregates": "avg,count", **query},
        headers=headers,
    )

    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][:3] == ["timestamp_s", "co2_ppm_avg", "co2_ppm_count"]
    assert len(rows) == 25
    assert rows[1][0] == str(to_epoch(START))


@pytest.mark.parametrize("resolution", ["raw", "1h", "1d", "auto"])
def test_series_window_without_samples_keeps_its_columns(
    client: FlaskClient, world: SeriesWorld, resolution: str
) -> None:
    # A quiet window answered no column at all (and a CSV of one header cell),
    # while the same request one hour later had every column.
    window = {
        "filter[from]": str(to_epoch(START - timedelta(days=3))),
        "filter[to]": str(to_epoch(START - timedelta(days=2))),
        "resolution": resolution,
        "aggregates": "avg,count",
        "quantities": "co2_ppm,temperature_celsius",
    }
    names = [
        "co2_ppm_avg",
        "co2_ppm_count",
        "temperature_celsius_avg",
        "temperature_celsius_count",
    ]

    document = client.get(_url(world), query_string=window)
    table = client.get(_url(world), query_string={**window, "format": "csv"})

    attributes = document.json["data"]["attributes"]  # type: ignore[index]
    assert attributes["timestamps_s"] == []
    assert {name: attributes.get(name) for name in names} == {key: [] for key in names}
    assert table.get_data(as_text=True) == ",".join(["timestamp_s", *names]) + "\r\n"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("filter[from]", "yesterday"),
        ("filter[to]", "1.5"),
        ("resolution", "5m"),
        ("aggregates", "median"),
        ("quantities", "pm25"),
        ("tz", "Mars/Olympus_Mons"),
        ("tz", "localtime"),
        ("tz", "posixrules"),
        ("tz", "right/UTC"),
        ("tz", "posix/Europe/Berlin"),
        ("max_points", "0"),
        ("format", "xml"),
        ("page[size]", "10"),
    ],
)
def test_series_bad_parameter_is_400_naming_it(
    client: FlaskClient, world: SeriesWorld, name: str, value: str
) -> None:
    resp = client.get(_url(world), query_string={name: value})

    assert resp.status_code == 400
    assert resp.mimetype == "application/vnd.api+json"
    assert resp.json["errors"][0]["source"] == {"parameter": name}  # type: ignore[index]


def test_series_from_after_to_is_400(client: FlaskClient, world: SeriesWorld) -> None:
    resp = client.get(
        _url(world),
        query_string={"filter[from]": "1700000100", "filter[to]": "1700000000"},
    )

    assert resp.status_code == 400
    assert resp.json["errors"][0]["source"] == {"parameter": "filter[from]"}  # type: ignore[index]


def test_series_accepts_iso_8601_bounds(
    client: FlaskClient, world: SeriesWorld
) -> None:
    resp = client.get(
        _url(world),
        query_string={
            "resolution": "10m",
            "filter[from]": "2024-03-30T02:00:00+01:00",
            "filter[to]": "2024-03-30T01:59:59Z",
        },
    )

    stamps = resp.json["data"]["attributes"]["timestamps_s"]  # type: ignore[index]
    assert stamps[0] == to_epoch(START + timedelta(hours=1))
    assert len(stamps) == 6


def test_series_too_many_points_is_400_on_resolution(
    client: FlaskClient, world: SeriesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.series import downsampled

    monkeypatch.setattr(downsampled, "MAX_POINTS_LIMIT", 100)

    resp = client.get(_url(world), query_string={"resolution": "10m"})

    assert resp.status_code == 400
    assert resp.json["errors"][0]["source"] == {"parameter": "resolution"}  # type: ignore[index]


def test_openapi_documents_the_series_parameters(client: FlaskClient) -> None:
    resp = client.get("/api/v1/schema/openapi.json")

    operation = resp.json["paths"]["/api/v1/installations/{pk}/series/"]["get"]  # type: ignore[index]
    names = [p["name"] for p in operation["parameters"]]
    assert names[:3] == ["filter[from]", "filter[to]", "resolution"]
    assert "/api/v1/installation-timeseries/{pk}/" in resp.json["paths"]  # type: ignore[index]
