"""Per-window statistics equal a direct count(*)/min/max of the raw samples, whatever
was written since the last refresh (Apache edition: our own rollups)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Node
from app.services.series import aggregates
from app.services.series.epoch import from_epoch, to_epoch
from app.services.series.extent import SeriesSource
from app.services.series.samples import SampleChunks, sample_chunks, samples_in
from app.services.series.stats import (
    EMPTY,
    stats_of,
    window_stats,
)
from app.services.series.tallies import newest_sample_time
from app.services.series.window import ALL_TIME, Window
from tests.factories import T0, make_node, make_samples
from tests.support.series import (
    AUTUMN,
    REFRESHED_UNTIL,
    SPRING,
    Row,
    fixed_rows,
    insert_rows,
    late_rows,
    stored_rows,
)

#: A whole stored day (below the watermark) of the spring data.
STORED_DAY = datetime(2024, 3, 30, tzinfo=SPRING[0].tzinfo)
#: A whole stored month (samples_1mo) that holds spring data on its first day only.
OLD_MONTH = datetime(2024, 4, 1, tzinfo=SPRING[0].tzinfo)


def _late(session: Session, node: Node) -> None:
    """A late sample in a whole stored day, and one out of order before it."""
    insert_rows(
        session,
        node.id,
        [
            Row(STORED_DAY + timedelta(hours=5, seconds=3), 4321, None, 10),
            Row(STORED_DAY + timedelta(hours=2, seconds=1), 1234, None, None),
        ],
    )


def _duplicate(session: Session, node: Node) -> None:
    """A retried sample: the same time again, stored once."""
    session.execute(
        text(
            "INSERT INTO samples (time, node_id, co2_ppm) "
            "SELECT time, node_id, co2_ppm FROM samples "
            "WHERE node_id = :node AND time >= :day ORDER BY time LIMIT 1 "
            "ON CONFLICT DO NOTHING"
        ),
        {"node": node.id, "day": STORED_DAY},
    )


def _deleted(session: Session, node: Node) -> None:
    """Samples of a stored day deleted, the newest one of the stored days too."""
    session.execute(
        text(
            "DELETE FROM samples WHERE node_id = :node "
            "AND ((time >= :day AND time < :day + INTERVAL '3 hours') "
            "OR time = (SELECT max(time) FROM samples "
            "WHERE node_id = :node AND time < :watermark))"
        ),
        {"node": node.id, "day": STORED_DAY, "watermark": REFRESHED_UNTIL},
    )


def _moved(session: Session, node: Node) -> None:
    """A sample corrected to another day (an UPDATE of its time)."""
    session.execute(
        text(
            "UPDATE samples SET time = time - INTERVAL '1 day 1 second' "
            "WHERE node_id = :node AND time = (SELECT min(time) FROM samples "
            "WHERE node_id = :node AND time >= :day)"
        ),
        {"node": node.id, "day": STORED_DAY},
    )


def _late_into_an_old_month(session: Session, node: Node) -> None:
    """Late samples in a whole stored month (April): one into a day without samples."""
    insert_rows(
        session,
        node.id,
        [
            Row(OLD_MONTH + timedelta(days=14, hours=12), 888, None, None),
            Row(OLD_MONTH + timedelta(days=1, microseconds=-1), 889, None, None),
        ],
    )


def _late_into_a_stored_hour(session: Session, node: Node) -> None:
    """A late sample and deleted ones in the stored hours above the daily watermark
    (the raw tail: any reading of it from samples_1h must see these writes)."""
    hour = REFRESHED_UNTIL.replace(hour=5, minute=0)
    insert_rows(
        session, node.id, [Row(hour + timedelta(minutes=31, seconds=3), 4444, None, 9)]
    )
    session.execute(
        text(
            "DELETE FROM samples WHERE node_id = :node "
            "AND time >= :hour AND time < :hour + INTERVAL '20 minutes'"
        ),
        {"node": node.id, "hour": hour},
    )


WRITES: dict[str, Callable[[Session, Node], None]] = {
    "late and out of order": _late,
    "late into an old month": _late_into_an_old_month,
    "late into a stored hour": _late_into_a_stored_hour,
    "duplicate": _duplicate,
    "deleted": _deleted,
    "moved": _moved,
}


@pytest.fixture(params=sorted(WRITES))
def node(request: pytest.FixtureRequest, session: Session) -> Node:
    """A refreshed node (and a neighbour), then writes below the watermark, unrefreshed."""
    node = make_node(session)
    neighbour = make_node(session)
    insert_rows(session, node.id, fixed_rows())
    insert_rows(session, neighbour.id, fixed_rows()[::3])
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    insert_rows(session, node.id, late_rows())
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    WRITES[request.param](session, node)
    _late(session, neighbour)
    return node


def _instants() -> st.SearchStrategy[datetime]:
    """Instants around the data, often mid-day and on second or day boundaries."""
    lo, hi = SPRING[0] - timedelta(days=1), AUTUMN[1] + timedelta(days=1)
    anywhere = st.integers(to_epoch(lo), to_epoch(hi)).map(from_epoch)
    days = st.integers(0, 4).map(lambda d: SPRING[0] + timedelta(days=d))
    near_days = st.tuples(days, st.sampled_from([-1, 0, 1, 43_200])).map(
        lambda pair: pair[0] + timedelta(seconds=pair[1])
    )
    return st.one_of(anywhere, near_days)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(a=_instants(), b=_instants())
def test_window_stats_equal_a_direct_count_after_unrefreshed_writes(
    session: Session, node: Node, a: datetime, b: datetime
) -> None:
    start, end = min(a, b), max(a, b)
    windows = [Window.inclusive(start, end), Window(start, end), ALL_TIME]

    stats = window_stats(session, [(node.id, w) for w in windows], with_first=True)

    for window, found in zip(windows, stats, strict=True):
        inside = [r for r in stored_rows(session, node.id) if window.start <= r.time]
        inside = [r for r in inside if r.time < window.stop]
        assert found.count == len(inside), window
        assert found.first == (inside[0].time if inside else None), window
        assert found.last == (inside[-1].time if inside else None), window
        source = SeriesSource(node.id, node.owner_id)
        expected = samples_in(session, source, window)
        assert found.latest == (expected[-1] if expected else None), window


def test_a_late_sample_in_a_stored_day_is_counted_before_the_next_refresh(
    session: Session, node: Node
) -> None:
    day = Window(STORED_DAY, STORED_DAY + timedelta(days=1))
    before = window_stats(session, [(node.id, day)])[0].count
    extra = Row(STORED_DAY + timedelta(days=1, microseconds=-1), 777, None, None)

    insert_rows(session, node.id, [extra])

    (after,) = window_stats(session, [(node.id, day)])
    assert after.count == before + 1
    assert after.last == extra.time
    assert after.latest is not None
    assert after.latest["co2_ppm"] == 777


def test_a_late_sample_in_a_stored_month_is_counted_before_and_after_the_refresh(
    session: Session, node: Node
) -> None:
    # Whole stored months (April to September) between two partial ones.
    window = Window(datetime(2024, 3, 15, tzinfo=OLD_MONTH.tzinfo), AUTUMN[1])
    stored_month = session.execute(
        text("SELECT co2_count FROM samples_1mo WHERE node_id = :node AND bucket = :m"),
        {"node": node.id, "m": OLD_MONTH},
    ).scalar_one()
    assert stored_month > 0
    before = window_stats(session, [(node.id, window)])[0].count
    extra = Row(OLD_MONTH + timedelta(days=20, hours=3), 777, None, None)

    insert_rows(session, node.id, [extra])
    unrefreshed = window_stats(session, [(node.id, window)])[0].count
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    refreshed = window_stats(session, [(node.id, window)])[0].count

    assert unrefreshed == before + 1
    assert refreshed == before + 1
    direct = [r for r in stored_rows(session, node.id) if window.start <= r.time]
    assert refreshed == len([r for r in direct if r.time < window.stop])


@pytest.mark.parametrize(
    ("start_h", "end_h"),
    [(None, None), (0, 55), (7, 33), (-60, 10), (60, None), (None, -5), (100, 200)],
)
def test_stats_counted_from_the_samples_equal_the_statistics_query(
    session: Session, node: Node, start_h: int | None, end_h: int | None
) -> None:
    start = ALL_TIME.start if start_h is None else STORED_DAY + timedelta(hours=start_h)
    end = ALL_TIME.last if end_h is None else STORED_DAY + timedelta(hours=end_h)
    window = Window.inclusive(start, end)
    source = SeriesSource(node.id, node.owner_id)

    chunks = SampleChunks(sample_chunks(session, source, window, size=7))
    samples = [sample for chunk in chunks for sample in chunk]
    stats = stats_of(chunks)

    assert samples == samples_in(session, source, window)
    assert stats == window_stats(session, [(node.id, window)], with_first=True)[0]
    assert (stats == EMPTY) == (samples == [])
    assert replace(stats, first=None) == window_stats(session, [(node.id, window)])[0]


def test_sample_objects_render_as_the_reference(session: Session) -> None:
    node = make_node(session)
    make_samples(session, node, count=1, co2_ppm=612)

    (sample,) = samples_in(session, SeriesSource(node.id, node.owner_id), ALL_TIME)

    assert sample == {
        "timestamp_s": int(T0.timestamp()),
        "co2_ppm": 612,
        "temperature_celsius": "21.5",
        "rel_humidity_percent": 45,
        "measurement_status": "M",
    }


@pytest.mark.parametrize("tail", ["kept", "deleted"])
def test_newest_sample_time_equals_a_direct_max(
    session: Session, node: Node, tail: str
) -> None:
    if tail == "deleted":  # nothing above the watermark: the last stored day
        session.execute(
            text("DELETE FROM samples WHERE time >= :t"),
            {"t": REFRESHED_UNTIL - timedelta(days=1)},
        )
    direct = session.execute(text("SELECT max(time) FROM samples")).scalar()

    assert newest_sample_time(session) == direct
