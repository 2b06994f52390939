"""A window's samples read chunk by chunk (``samples.sample_chunks``): the first
chunk in one fetch, the rest streamed from just after its last sample."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sqlalchemy.orm import Session

from app.services.series.epoch import to_epoch
from app.services.series.extent import SeriesSource
from app.services.series.samples import sample_chunks
from app.services.series.window import Window
from tests.factories import make_node
from tests.support.series import Row, insert_rows

START = datetime(2024, 3, 1, tzinfo=UTC)


def _times(session: Session, count: int, size: int, step: timedelta) -> list[int]:
    node = make_node(session)
    rows = [Row(START + i * step, 400 + i, None, None) for i in range(count)]
    insert_rows(session, node.id, rows)
    source = SeriesSource(node.id, node.owner_id)
    window = Window(START, START + count * step)
    chunks = list(sample_chunks(session, source, window, size=size))
    assert all(0 < len(chunk) <= size for chunk in chunks)
    return [sample["co2_ppm"] for chunk in chunks for sample in chunk]


@pytest.mark.parametrize("count", [0, 1, 3, 6, 7])
def test_every_sample_comes_once_in_order_whatever_the_chunks(
    session: Session, count: int
) -> None:
    """None, less than a chunk, exactly one, exactly two, and two and a bit."""
    assert _times(session, count, size=3, step=timedelta(minutes=5)) == [
        400 + i for i in range(count)
    ]


def test_samples_a_microsecond_apart_across_a_chunk_boundary_all_come(
    session: Session,
) -> None:
    """The rest is read from one microsecond after the first chunk's last sample:
    the next sample, one microsecond later, is its first."""
    assert _times(session, 8, size=3, step=timedelta(microseconds=1)) == [
        400 + i for i in range(8)
    ]


def test_the_window_bounds_hold_for_the_streamed_rest(session: Session) -> None:
    node = make_node(session)
    step = timedelta(minutes=1)
    insert_rows(
        session,
        node.id,
        [Row(START + i * step, 400 + i, None, None) for i in range(20)],
    )
    window = Window(START + 2 * step, START + 11 * step)  # samples 2..10

    chunks = sample_chunks(session, SeriesSource(node.id, node.owner_id), window, 4)

    times = [s["timestamp_s"] for chunk in chunks for s in chunk]
    assert times == [to_epoch(START + i * step) for i in range(2, 11)]
