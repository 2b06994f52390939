"""A window's statistics taken from its samples equal the statistics query's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sqlalchemy.orm import Session

from app.services.series.samples import (
    EMPTY,
    Window,
    samples_and_stats,
    samples_in,
    window_stats,
)
from tests.factories import T0, make_node, make_samples


@pytest.mark.parametrize(
    ("start_min", "end_min"),
    [(None, None), (0, 55), (7, 33), (-60, 10), (60, None), (None, -5), (100, 200)],
)
def test_samples_and_stats_equal_the_separate_queries(
    session: Session, start_min: int | None, end_min: int | None
) -> None:
    node = make_node(session)
    make_samples(session, node, count=12)
    window = Window(
        node.id,
        None if start_min is None else T0 + timedelta(minutes=start_min),
        None if end_min is None else T0 + timedelta(minutes=end_min),
    )

    stats, samples = samples_and_stats(session, window)

    assert samples == samples_in(session, window)
    assert stats == window_stats(session, [window])[0]
    assert (stats == EMPTY) == (samples == [])


def test_sample_objects_render_as_the_reference(session: Session) -> None:
    node = make_node(session)
    make_samples(session, node, count=1, co2_ppm=612)

    (sample,) = samples_in(session, Window(node.id))

    assert sample == {
        "timestamp_s": int(T0.timestamp()),
        "co2_ppm": 612,
        "temperature_celsius": "21.5",
        "rel_humidity_percent": 45,
        "measurement_status": "M",
    }
