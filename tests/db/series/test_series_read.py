"""The series read model equals a direct aggregate of the raw samples."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Node
from app.services.series import aggregates
from app.services.series import buckets as tb
from app.services.series.downsampled import (
    Series,
    SeriesQuery,
    SeriesSource,
    read_series,
)
from app.services.series.epoch import from_epoch, to_epoch
from app.services.series.window import Window
from tests.factories import make_node
from tests.support.series import (
    AUTUMN,
    REFRESHED_UNTIL,
    SPRING,
    Row,
    assert_series_matches,
    by_bucket,
    day_key,
    fixed_rows,
    insert_rows,
    late_rows,
    local_day_of,
    reference,
    stored_rows,
    utc_key,
)

BERLIN = ZoneInfo("Europe/Berlin")
NY = "America/New_York"
ZONES = ("Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu")
QUANTITIES = ("co2_ppm", "temperature_celsius", "rel_humidity_percent")
AGGREGATES = ("avg", "min", "max", "count")


@pytest.fixture
def node(session: Session) -> Node:
    """A node with irregular samples around both 2024 DST changes, refreshed up to
    the middle of the autumn ones, plus late samples and a second refresh."""
    node = make_node(session)
    insert_rows(session, node.id, fixed_rows())
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    insert_rows(session, node.id, late_rows())
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    return node


def _read(session: Session, node: Node, query: SeriesQuery) -> Series:
    return read_series(session, SeriesSource(node.id, node.owner_id), query)


def _instants() -> st.SearchStrategy[datetime]:
    lo, hi = SPRING[0] - timedelta(days=1), AUTUMN[1] + timedelta(days=1)
    seconds = st.integers(to_epoch(lo), to_epoch(hi)).map(from_epoch)
    inside = (
        st.sampled_from([SPRING, AUTUMN])
        .flatmap(lambda span: st.integers(to_epoch(span[0]), to_epoch(span[1])))
        .map(from_epoch)
    )
    edges = st.tuples(inside, st.sampled_from([600, 3600, 86400])).map(
        lambda pair: tb.floor(pair[0], pair[1])
    )
    dst_days = [
        date(2024, 3, 30),
        date(2024, 3, 31),
        date(2024, 10, 27),
        date(2024, 10, 28),
    ]
    midnights = st.tuples(st.sampled_from(dst_days), st.sampled_from([-1, 0, 1])).map(
        lambda pair: tb.day_start(pair[0], BERLIN) + timedelta(seconds=pair[1])
    )
    return st.one_of(seconds, inside, edges, midnights)


@settings(
    max_examples=120,
    deadline=None,
    # The data set is built once per test; examples only read it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    a=_instants(),
    b=_instants(),
    resolution=st.sampled_from(["raw", "10m", "1h", "1d"]),
    tz=st.sampled_from(ZONES),
    quantities=st.lists(st.sampled_from(QUANTITIES), min_size=1, unique=True),
    aggs=st.lists(st.sampled_from(AGGREGATES), min_size=1, unique=True),
)
def test_series_equals_direct_aggregate_of_raw_samples(
    session: Session,
    node: Node,
    a: datetime,
    b: datetime,
    resolution: str,
    tz: str,
    quantities: list[str],
    aggs: list[str],
) -> None:
    start, end = min(a, b), max(a, b)
    query = SeriesQuery(
        window=Window.inclusive(start, end),
        resolution=resolution,
        aggregates=tuple(aggs),
        quantities=tuple(quantities),
        tz=tz,
        max_points=100_000,
    )

    series = _read(session, node, query)

    rows = stored_rows(session, node.id)
    zone = ZoneInfo(tz)
    key, actual_key = {
        "raw": (lambda t: to_epoch(t), lambda s: s),
        "10m": (utc_key(600), lambda s: s),
        "1h": (utc_key(3600), lambda s: s),
        "1d": (day_key(zone), local_day_of(zone)),
    }[resolution]
    expected = reference(rows, start, end, key, quantities, aggs)
    actual: dict[Hashable, dict[str, Any]] = by_bucket(
        series.timestamps_s, series.columns, actual_key
    )
    assert_series_matches(actual, expected)


def test_series_day_buckets_on_dst_days_last_23_and_25_hours(
    session: Session, node: Node
) -> None:
    query = SeriesQuery(
        window=Window(datetime(2024, 3, 29, tzinfo=UTC), AUTUMN[1]),
        resolution="1d",
        tz="Europe/Berlin",
    )

    series = _read(session, node, query)

    starts = dict(
        zip(
            map(local_day_of(BERLIN), series.timestamps_s),
            series.timestamps_s,
            strict=True,
        )
    )
    assert starts[date(2024, 4, 1)] - starts[date(2024, 3, 31)] == 23 * 3600
    assert starts[date(2024, 10, 28)] - starts[date(2024, 10, 27)] == 25 * 3600
    assert starts[date(2024, 3, 31)] == to_epoch(datetime(2024, 3, 30, 23, tzinfo=UTC))


def test_series_gap_fills_buckets_without_data(session: Session, node: Node) -> None:
    query = SeriesQuery(window=Window(SPRING[0], AUTUMN[1]), resolution="1d", tz="UTC")

    series = _read(session, node, query)

    days = len(series.timestamps_s)
    assert days == (AUTUMN[1] - SPRING[0]).days
    empty = series.timestamps_s.index(to_epoch(datetime(2024, 6, 1, tzinfo=UTC)))
    assert series.columns["co2_ppm_avg"][empty] is None


def test_series_auto_picks_finest_level_within_max_points(
    session: Session, node: Node
) -> None:
    window = Window(AUTUMN[0], AUTUMN[0] + timedelta(days=2))

    by_points = {
        points: _read(
            session, node, SeriesQuery(window=window, max_points=points)
        ).resolution
        for points in (2000, 300, 48, 3)
    }

    assert by_points == {2000: "raw", 300: "10m", 48: "1h", 3: "1d"}


def test_series_of_another_owner_reads_nothing(session: Session, node: Node) -> None:
    query = SeriesQuery(window=Window(SPRING[0], AUTUMN[1]), resolution="1h")

    series = read_series(session, SeriesSource(node.id, node.owner_id + 1), query)

    assert series.timestamps_s == []


def test_series_fresh_tail_above_watermark_is_read_from_raw_samples(
    session: Session, node: Node
) -> None:
    fresh = Row(AUTUMN[1] + timedelta(minutes=3), 4321, None, None)
    insert_rows(session, node.id, [fresh])
    query = SeriesQuery(
        window=Window(AUTUMN[1], AUTUMN[1] + timedelta(hours=1)),
        resolution="10m",
        aggregates=("max",),
        quantities=("co2_ppm",),
    )

    series = _read(session, node, query)

    assert series.columns["co2_ppm_max"][-1] == 4321


def test_series_late_sample_below_watermark_shows_after_next_refresh(
    session: Session, node: Node
) -> None:
    late_time = SPRING[0] + timedelta(hours=5, minutes=1, seconds=1)
    insert_rows(session, node.id, [Row(late_time, 9876, None, None)])
    query = SeriesQuery(
        window=Window(SPRING[0], SPRING[0] + timedelta(days=1)),
        resolution="1h",
        aggregates=("max",),
        quantities=("co2_ppm",),
    )
    hour = to_epoch(tb.floor(late_time, 3600))

    before = _read(session, node, query)
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    after = _read(session, node, query)

    index = before.timestamps_s.index(hour)
    assert before.columns["co2_ppm_max"][index] != 9876
    assert after.columns["co2_ppm_max"][index] == 9876


def test_series_days_in_the_analysis_zone_come_from_the_stored_local_days(
    session: Session, node: Node
) -> None:
    day = to_epoch(datetime(2024, 3, 30, 23, tzinfo=UTC))  # 31 March in Berlin
    session.execute(
        text(
            "UPDATE samples_1d_local SET co2_max = 4999 "
            "WHERE node_id = :node AND bucket = :day"
        ),
        {"node": node.id, "day": from_epoch(day)},
    )
    window = Window(SPRING[0], SPRING[1])

    def daily_max(tz: str) -> list[Any]:
        query = SeriesQuery(window, "1d", ("max",), ("co2_ppm",), tz)
        return _read(session, node, query).columns["co2_ppm_max"]

    berlin = _read(session, node, SeriesQuery(window, "1d", ("max",), ("co2_ppm",)))

    assert berlin.columns["co2_ppm_max"][berlin.timestamps_s.index(day)] == 4999
    assert 4999 not in daily_max("Europe/Paris")  # same days, folded from hours


def test_series_local_days_below_a_watermark_off_midnight_are_folded_from_hours(
    session: Session, node: Node
) -> None:
    # Stored local days and raw edges are read to final values separately, which
    # needs the stored ones to end at a local midnight; a watermark anywhere else
    # (never set by the refresh) must not make a day count twice.
    session.execute(
        text("UPDATE samples_1d_local_watermark SET watermark = :mark"),
        {"mark": datetime(2024, 10, 26, 10, tzinfo=UTC)},
    )
    start, end = AUTUMN[0], REFRESHED_UNTIL
    query = SeriesQuery(Window.inclusive(start, end), "1d", AGGREGATES, QUANTITIES)

    series = _read(session, node, query)

    expected = reference(
        stored_rows(session, node.id),
        start,
        end,
        day_key(BERLIN),
        QUANTITIES,
        AGGREGATES,
    )
    actual = by_bucket(series.timestamps_s, series.columns, local_day_of(BERLIN))
    assert_series_matches(actual, expected)


def test_series_late_sample_shows_in_local_days_after_next_refresh(
    session: Session, node: Node
) -> None:
    late_time = SPRING[0] + timedelta(days=1, hours=5, minutes=1, seconds=1)
    insert_rows(session, node.id, [Row(late_time, 1, None, None)])
    query = SeriesQuery(  # 30 March is a whole day of the window
        window=Window(SPRING[0], SPRING[1]),
        resolution="1d",
        aggregates=("min",),
        quantities=("co2_ppm",),
        tz="Europe/Berlin",
    )
    day = to_epoch(tb.day_start(tb.local_date(late_time, BERLIN), BERLIN))

    before = _read(session, node, query)
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    after = _read(session, node, query)

    index = before.timestamps_s.index(day)
    assert before.columns["co2_ppm_min"][index] != 1
    assert after.columns["co2_ppm_min"][index] == 1


def test_series_averages_round_like_by_hand_and_alike_before_and_after_refresh(
    session: Session,
) -> None:
    # Exact means of 18.775 °C and 400.125 ppm: a tie at the second decimal. The
    # float sums came out 75.1 or 75.10000000000001 by the order they met the
    # samples, so one hour answered 18.77 from raw samples and 18.78 from stored
    # buckets, and float8 rounded 400.125 to even (400.12).
    node = make_node(session)
    hour = datetime(2024, 5, 6, 10, tzinfo=UTC)
    temperatures = ["18.7", "18.8", "18.8", "18.8"] * 2
    co2 = [400, 400, 400, 400, 400, 400, 400, 401]
    insert_rows(
        session,
        node.id,
        [
            Row(hour + timedelta(minutes=7 * i), c, Decimal(t), None)
            for i, (t, c) in enumerate(zip(temperatures, co2, strict=True))
        ],
    )
    query = SeriesQuery(
        window=Window(hour, hour + timedelta(hours=1)),
        resolution="1h",
        quantities=("co2_ppm", "temperature_celsius"),
    )
    hand = {"co2_ppm_avg": [400.13], "temperature_celsius_avg": [18.78]}

    raw = _read(session, node, query)
    aggregates.refresh(session, until=hour + timedelta(days=2))
    stored = _read(session, node, query)
    # a whole New York day, summed from stored hours (the folded local days)
    days = Window(hour - timedelta(days=1), hour + timedelta(days=1))
    folded = _read(session, node, replace(query, window=days, resolution="1d", tz=NY))

    assert raw.columns == hand
    assert stored.columns == hand
    assert folded.columns == hand


def test_series_reads_are_never_prepared(session: Session, node: Node) -> None:
    # A prepared statement may get a generic plan, which opens every chunk.
    query = SeriesQuery(
        window=Window(SPRING[0], AUTUMN[1]), resolution="1d", tz="Europe/Berlin"
    )

    for _ in range(8):  # psycopg prepares from the 5th run on
        _read(session, node, query)

    prepared = session.execute(
        text("SELECT statement FROM pg_prepared_statements")
    ).scalars()
    assert [s for s in prepared if "samples" in s] == []
