"""Managair's time-series resources, with its defects fixed (§5.13-5.14)."""

from __future__ import annotations

import time
import tracemalloc
from datetime import timedelta

import pytest

from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Role
from app.services.series.epoch import to_epoch
from app.services.series.samples import CHUNK
from tests.factories import make_installation, make_membership, make_node, make_user
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused
from tests.support.series import Row, insert_rows, stored_rows
from tests.support.worlds import SERIES_END as END
from tests.support.worlds import SERIES_START as START
from tests.support.worlds import SeriesWorld, series_world


@pytest.fixture
def world(session: Session) -> SeriesWorld:
    return series_world(session)


def _count(session: Session, world: SeriesWorld, start_s: int, end_s: int) -> int:
    return sum(
        1
        for row in stored_rows(session, world.node.id)
        if start_s <= to_epoch(row.time) <= end_s
    )


def test_node_timeseries_list_anonymous_is_401(client: FlaskClient) -> None:
    assert_refused(
        client, "GET", "/api/v1/node-timeseries/", 401, unchanged=("samples",)
    )


def test_node_timeseries_list_shows_own_nodes_with_all_samples(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    make_node(session)  # another organization's
    session.commit()

    resp = client.get(
        "/api/v1/node-timeseries/",
        headers=auth_headers(session, world.people.inspector),
    )

    assert resp.status_code == 200
    assert "links" not in resp.json  # type: ignore[operator]
    [item] = resp.json["data"]  # type: ignore[index]
    assert item["type"] == "Node-Timeseries"
    assert item["id"] == str(world.node.id)
    assert item["attributes"]["from_timestamp_s"] == 0
    assert item["attributes"]["sample_count"] == len(
        stored_rows(session, world.node.id)
    )
    assert item["links"]["self"].endswith(f"/api/v1/node-timeseries/{world.node.id}/")


@pytest.mark.parametrize("path", ["node-timeseries/{id}", "nodes/{id}/timeseries"])
def test_node_timeseries_detail_slices_inclusively_and_echoes_bounds(
    client: FlaskClient, session: Session, world: SeriesWorld, path: str
) -> None:
    first = stored_rows(session, world.node.id)[10]
    start_s = to_epoch(first.time)
    end_s = start_s + 3600

    resp = client.get(
        "/api/v1/" + path.format(id=world.node.id) + "/",
        query_string={"filter[from]": str(start_s), "filter[to]": str(end_s)},
        headers=auth_headers(session, world.people.owner),
    )

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert resp.status_code == 200
    assert attributes["from_timestamp_s"] == start_s
    assert attributes["to_timestamp_s"] == end_s
    assert attributes["sample_count"] == len(attributes["samples"])
    assert attributes["sample_count"] == _count(session, world, start_s, end_s)
    assert attributes["samples"][0]["timestamp_s"] == start_s
    stamps = [s["timestamp_s"] for s in attributes["samples"]]
    assert stamps == sorted(stamps)


def test_node_timeseries_detail_of_a_stranger_is_404(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    assert_refused(
        client,
        "GET",
        f"/api/v1/node-timeseries/{world.node.id}/",
        404,
        headers=auth_headers(session, world.people.outsider),
        unchanged=("samples",),
    )


def test_timeseries_sample_objects_have_managair_shape(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    resp = client.get(f"/api/v1/installations/{world.public.id}/timeseries/")

    sample = next(
        s
        for s in resp.json["data"]["attributes"]["samples"]  # type: ignore[index]
        if s["temperature_celsius"] is not None
    )
    assert set(sample) == {
        "timestamp_s",
        "co2_ppm",
        "temperature_celsius",
        "rel_humidity_percent",
        "measurement_status",
    }
    assert isinstance(sample["temperature_celsius"], str)
    assert "." in sample["temperature_celsius"]
    assert sample["measurement_status"] == "M"


@pytest.mark.parametrize("name", ["filter[from]", "filter[to]"])
@pytest.mark.parametrize("value", ["1.5", "soon", "1e9", "-3"])
def test_timeseries_non_integer_bounds_are_400(
    client: FlaskClient, world: SeriesWorld, name: str, value: str
) -> None:
    resp = client.get(
        f"/api/v1/installation-timeseries/{world.public.id}/",
        query_string={name: value},
    )

    assert resp.status_code == 400
    assert resp.json["errors"][0]["source"] == {"parameter": name}  # type: ignore[index]


def test_installation_timeseries_list_anonymous_sees_public_only(
    client: FlaskClient, world: SeriesWorld
) -> None:
    resp = client.get("/api/v1/installation-timeseries/")

    assert resp.status_code == 200
    [item] = resp.json["data"]  # type: ignore[index]
    assert item["type"] == "Installation-Timeseries"
    assert item["id"] == str(world.public.id)
    attributes = item["attributes"]
    assert attributes["node_id"] == str(world.node.id)
    assert attributes["from_timestamp_s"] == to_epoch(START)
    assert attributes["to_timestamp_s"] == to_epoch(START + timedelta(days=1)) - 1


def test_installation_timeseries_list_counts_within_each_interval(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    resp = client.get(
        "/api/v1/installation-timeseries/",
        headers=auth_headers(session, world.people.owner),
    )

    items = {i["id"]: i["attributes"] for i in resp.json["data"]}  # type: ignore[index]
    middle_s = to_epoch(START + timedelta(days=1))
    assert items[str(world.public.id)]["sample_count"] == _count(
        session, world, to_epoch(START), middle_s - 1
    )
    assert items[str(world.private.id)]["sample_count"] == _count(
        session, world, middle_s, to_epoch(END) + 10**6
    )
    assert items[str(world.private.id)]["to_timestamp_s"] == 2147483647


def test_installation_timeseries_list_shows_each_installation_once(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    for _ in range(3):
        make_membership(session, make_user(session), world.people.org, Role.INSPECTOR)
    session.commit()

    resp = client.get(
        "/api/v1/installation-timeseries/",
        headers=auth_headers(session, world.people.owner),
    )

    ids = [i["id"] for i in resp.json["data"]]  # type: ignore[index]
    assert sorted(ids) == sorted({str(world.public.id), str(world.private.id)})


def test_installation_timeseries_detail_of_public_works_for_members_of_big_orgs(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    for _ in range(3):
        make_membership(session, make_user(session), world.people.org, Role.INSPECTOR)
    session.commit()

    resp = client.get(
        f"/api/v1/installation-timeseries/{world.public.id}/",
        headers=auth_headers(session, world.people.inspector),
    )

    assert resp.status_code == 200


def test_installation_timeseries_detail_window_is_clipped_and_reported(
    client: FlaskClient, world: SeriesWorld
) -> None:
    from_s = to_epoch(START) + 7200

    resp = client.get(
        f"/api/v1/installations/{world.public.id}/timeseries/",
        query_string={"filter[from]": str(from_s), "filter[to]": str(2 * 10**9)},
    )

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert attributes["from_timestamp_s"] == from_s
    assert attributes["to_timestamp_s"] == to_epoch(START + timedelta(days=1)) - 1
    assert all(
        from_s <= s["timestamp_s"] <= attributes["to_timestamp_s"]
        for s in attributes["samples"]
    )
    assert attributes["sample_count"] == len(attributes["samples"]) > 0


def test_installation_timeseries_private_is_404_anonymously(
    client: FlaskClient, world: SeriesWorld
) -> None:
    assert_refused(
        client,
        "GET",
        f"/api/v1/installation-timeseries/{world.private.id}/",
        404,
        unchanged=("samples",),
    )


def test_query_timestamp_is_the_request_time(
    client: FlaskClient, world: SeriesWorld
) -> None:
    url = f"/api/v1/installation-timeseries/{world.public.id}/"
    first = client.get(url).json["data"]["attributes"]["query_timestamp_s"]  # type: ignore[index]
    time.sleep(1.1)

    before = int(time.time())
    second = client.get(url).json["data"]["attributes"]["query_timestamp_s"]  # type: ignore[index]

    assert second >= before
    assert second > first


def test_installation_timeseries_ended_installation_keeps_its_own_end(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    resp = client.get(f"/api/v1/installation-timeseries/{world.public.id}/")

    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    assert attributes["to_timestamp_s"] == to_epoch(START + timedelta(days=1)) - 1
    assert make_installation is not None


def test_a_history_longer_than_a_read_chunk_comes_whole_and_in_order(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    """More samples than one chunk of the spooled read: every stored one, once, in
    time order, and the count says so."""
    earlier = START - timedelta(days=40)
    rows = [
        (earlier + timedelta(minutes=5 * i), 400 + i % 1000)
        for i in range(CHUNK + 1_500)  # before the world's own samples
    ]
    insert_rows(
        session,
        world.node.id,
        [Row(time, co2, None, None) for time, co2 in rows],
    )
    session.commit()
    headers = auth_headers(session, world.people.inspector)

    resp = client.get(f"/api/v1/node-timeseries/{world.node.id}/", headers=headers)

    assert resp.status_code == 200
    assert resp.content_length == len(resp.data)
    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    stored = stored_rows(session, world.node.id)
    times = [s["timestamp_s"] for s in attributes["samples"]]
    assert times == [to_epoch(row.time) for row in stored]
    assert attributes["sample_count"] == len(stored) > CHUNK
    assert attributes["samples"][0]["co2_ppm"] == 400


def test_the_memory_of_a_whole_history_read_does_not_grow_with_the_history(
    client: FlaskClient, session: Session, world: SeriesWorld
) -> None:
    """Three times the samples, about the same peak of Python memory: one chunk of
    rows and the spooled list's memory, never the whole history as objects."""
    headers = auth_headers(session, world.people.inspector)
    url = f"/api/v1/node-timeseries/{world.node.id}/"

    def peak_mb(samples: int) -> float:
        start = START - timedelta(days=400)
        rows = [
            Row(start + timedelta(minutes=5 * i), 500, None, None)
            for i in range(samples)
        ]
        session.execute(text("DELETE FROM samples WHERE time < :s"), {"s": START})
        insert_rows(session, world.node.id, rows)
        session.commit()
        tracemalloc.start()
        try:
            resp = client.get(url, headers=headers, buffered=False)
            size = sum(len(block) for block in resp.response)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert resp.status_code == 200
        assert size > samples * 100
        return peak / 1e6

    small, large = peak_mb(2 * CHUNK), peak_mb(6 * CHUNK)
    assert large < 1.5 * small, (small, large)


@pytest.mark.parametrize("detail", ["node", "installation"])
def test_a_detail_with_a_history_longer_than_a_read_chunk_counts_all_of_it(
    client: FlaskClient, session: Session, world: SeriesWorld, detail: str
) -> None:
    """``include_timeseries`` reads its samples in chunks too; the figures the
    detail states before them (count, latest sample) are of all of them."""
    start = END + timedelta(hours=1)  # after the world's samples, still installed
    rows = [
        Row(start + timedelta(seconds=5 * i), 700, None, 40) for i in range(CHUNK + 7)
    ]
    insert_rows(session, world.node.id, rows)
    session.commit()
    headers = auth_headers(session, world.people.inspector)
    from_s = to_epoch(start)
    path = (
        f"/api/v1/nodes/{world.node.id}/"
        if detail == "node"
        else f"/api/v1/installations/{world.private.id}/"
    )

    resp = client.get(
        f"{path}?include_timeseries=1&filter[from]={from_s}"
        f"&filter[to]={from_s + 5 * (CHUNK + 6)}",
        headers=headers,
    )

    assert resp.status_code == 200
    assert resp.content_length == len(resp.data)
    attributes = resp.json["data"]["attributes"]  # type: ignore[index]
    timeseries = attributes["timeseries"]
    assert [s["timestamp_s"] for s in timeseries] == [
        from_s + 5 * i for i in range(CHUNK + 7)
    ]
    assert attributes["sample_count"] == CHUNK + 7
    assert attributes["latest_sample"] == timeseries[-1]
