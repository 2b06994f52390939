"""The uniform 10-minute grid of a room's CO2 series (Managair §6.2, steps 3-6).

The grid points are ``start + k·10 min`` for every ``k`` in the period. A point
``g`` is *covered* when the last sample at or before ``g`` and the first sample
at or after ``g`` are at most 30 minutes apart; its value is then the linear
interpolation between those two samples (a sample exactly at ``g`` gives its own
value, and counts only when another sample lies within 30 minutes of it). Every
other point is missing (NaN). This is the reference's rule without its quirks:
the reference also blanked the point at the end of each gap and shifted day
boundaries by the UTC offset.

SQL fetches the clipped raw samples and numpy reduces them to 10-minute buckets
aligned to the period start (as ``time_bucket`` with the period start as
origin), one series per node, keeping each bucket's count and its first and last
sample. That is all the rule needs: within a bucket
samples are less than 10 minutes apart, so the previous and next samples of a
grid point are always a bucket's first or last one. numpy then computes every
point without a Python loop.

A room may have several sensors at once (a large classroom): each node gets its
own grid and the room's value at a point is the highest of them (the worst
corner of the room decides); a point is missing only when every node misses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

import psycopg
from sqlalchemy.orm import Session

from app.services.airquality.period import Period
from app.services.airquality.rules import MAX_GAP_S, STEP_S
from app.services.airquality.sources import MARGIN, Span

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Buckets on each side of the period that can bound its edge points.
PAD = MAX_GAP_S // STEP_S

# The clipped samples of every series: one bitmap index scan of
# ux_samples_node_id_time for all the nodes (its cost grows with this request's
# nodes, not with every organization's), joined to the spans to clip them and
# name their series. The constant bounds in WHERE let TimescaleDB exclude chunks
# at plan time. numpy orders and reduces them to buckets (:func:`_bucketed`):
# grouping ~5,000 rows in SQL (time_bucket's numeric epoch, first()/last(), a
# sort) cost three times the fetch. It runs on the psycopg connection itself
# with binary results: SQLAlchemy's row handling cost more than the query.
SAMPLES_SQL = """
    WITH clip AS (
        SELECT c.source, c.node_id, c.lo, c.hi
        FROM unnest(
            CAST(%(sources)s AS integer[]),
            CAST(%(node_ids)s AS uuid[]),
            CAST(%(los)s AS timestamptz[]),
            CAST(%(his)s AS timestamptz[])
        ) AS c (source, node_id, lo, hi)
    )
    SELECT
        CAST(clip.source AS float8),
        date_part('epoch', s.time),
        CAST(s.co2_ppm AS float8)
    FROM samples AS s
    JOIN clip ON s.node_id = clip.node_id AND s.time BETWEEN clip.lo AND clip.hi
    WHERE s.node_id = ANY(CAST(%(node_ids)s AS uuid[]))
      AND s.time BETWEEN %(scan_from)s AND %(scan_to)s
"""


@dataclass(frozen=True)
class Buckets:
    """Non-empty 10-minute buckets of one node, columnar.

    ``k`` counts from the period start.

    Attributes:
        k: bucket index (negative before the period).
        n: samples in the bucket.
        first_s: epoch seconds of the bucket's first sample.
        first_co2: CO2 of the first sample.
        last_s: epoch seconds of the bucket's last sample.
        last_co2: CO2 of the last sample.
    """

    k: IntArray
    n: IntArray
    first_s: FloatArray
    first_co2: FloatArray
    last_s: FloatArray
    last_co2: FloatArray

    @classmethod
    def empty(cls) -> Buckets:
        """Return buckets of a room without samples."""
        no_int = np.zeros(0, dtype=np.int64)
        no_float = np.zeros(0, dtype=np.float64)
        return cls(no_int, no_int, no_float, no_float, no_float, no_float)


def load_buckets(session: Session, spans: list[Span], period: Period) -> list[Buckets]:
    """Reduce the samples of ``spans`` to 10-minute buckets aligned to the period.

    Args:
        session: the database session (a replica is fine).
        spans: the clipped sample sources of the room.
        period: the analysed period.

    Returns:
        The non-empty buckets of each node with samples, in time order.
    """
    # Spans of one node (one after the other) feed one series.
    sources = {
        node_id: i for i, node_id in enumerate(dict.fromkeys(s.node_id for s in spans))
    }
    grouped = load_grouped(session, spans, [sources[s.node_id] for s in spans], period)
    return [grouped[source] for source in sorted(grouped)]


def load_grouped(
    session: Session, spans: list[Span], groups: list[int], period: Period
) -> dict[int, Buckets]:
    """Like :func:`load_buckets` for spans of many rooms in one statement.

    Args:
        session: the database session (a replica is fine).
        spans: the clipped sample sources.
        groups: the series each span feeds (spans of one node in one room share
            one; the same node in two rooms must not).
        period: the analysed period.

    Returns:
        The non-empty buckets of each group with samples.
    """
    if not spans:
        return {}
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("the air-quality grid needs a psycopg connection")
    params = {
        "sources": groups,
        "node_ids": [span.node_id for span in spans],
        "los": [span.start for span in spans],
        "his": [span.end for span in spans],
        "scan_from": period.start - MARGIN,
        "scan_to": period.end + MARGIN,
    }
    with driver.cursor(binary=True) as cursor:
        # Unprepared: a generic plan would lose the plan-time chunk exclusion
        # (see app.services.series.sql.fetch_all).
        rows = cursor.execute(SAMPLES_SQL, params, prepare=False).fetchall()
    if not rows:
        return {}
    table = np.array(rows, dtype=np.float64)
    # by series, then time (lexsort's last key is the primary one)
    return _bucketed(table[np.lexsort((table[:, 1], table[:, 0]))], period.start_s)


def _bucketed(table: FloatArray, start_s: int) -> dict[int, Buckets]:
    """Reduce (series, epoch seconds, CO2) rows in that order to each series'
    non-empty buckets, every series at once.

    A bucket ``k`` holds the samples in ``[start + k·STEP_S, start + (k+1)·STEP_S)``
    (``time_bucket`` with the period start as origin). A sample joined through two
    touching spans of one series (an installation ended and the next one started
    at its instant) is one sample and counts once: counted twice, an isolated
    sample on a grid point passed for one with a neighbour and gave the point a
    value the rule leaves missing.
    """
    repeated = np.zeros(len(table), dtype=bool)
    repeated[1:] = (table[1:, 0] == table[:-1, 0]) & (table[1:, 1] == table[:-1, 1])
    table = table[~repeated]
    source = table[:, 0].astype(np.int64)
    time_s = table[:, 1]
    co2 = table[:, 2]
    k = np.floor((time_s - start_s) / STEP_S).astype(np.int64)
    new = np.ones(len(table), dtype=bool)
    new[1:] = (source[1:] != source[:-1]) | (k[1:] != k[:-1])
    first = np.flatnonzero(new)
    last = np.concatenate((first[1:], [len(table)])) - 1
    bucket_source = source[first]
    found = {}
    for series in np.unique(bucket_source):
        mine = bucket_source == series
        head, tail = first[mine], last[mine]
        found[int(series)] = Buckets(
            k=k[head],
            n=tail - head + 1,
            first_s=time_s[head],
            first_co2=co2[head],
            last_s=time_s[tail],
            last_co2=co2[tail],
        )
    return found


def room_values(nodes: list[Buckets], start_s: int, points: int) -> FloatArray:
    """Return the room's CO2 at each grid point: the highest of its nodes' values.

    Args:
        nodes: the buckets of each node of the room.
        start_s: epoch seconds of the first grid point.
        points: the number of grid points.

    Returns:
        ``points`` floats, NaN where no node has a value.
    """
    one_room = np.zeros(len(nodes), dtype=np.int64)
    values: FloatArray = rooms_values(nodes, one_room, 1, start_s, points)[0]
    return values


def rooms_values(
    nodes: list[Buckets], room_of: IntArray, rooms: int, start_s: int, points: int
) -> FloatArray:
    """Return the CO2 grid of many rooms at once, one row per room.

    Each node's grid comes from :func:`grid_matrix`; a room's value at a point is
    the highest of its nodes' (``fmax`` skips NaN: one node's gap is covered by
    another node's value), NaN where none has one.

    Args:
        nodes: the buckets of every node.
        room_of: the row (room) each node belongs to.
        rooms: the number of rows.
        start_s: epoch seconds of the first grid point.
        points: the number of grid points.
    """
    combined = np.full((rooms, points), np.nan)
    if nodes:
        np.fmax.at(combined, room_of, grid_matrix(nodes, start_s, points))
    return combined


def grid_values(buckets: Buckets, start_s: int, points: int) -> FloatArray:
    """Return the CO2 value of each grid point, NaN where data is missing.

    Args:
        buckets: the non-empty buckets around the period.
        start_s: epoch seconds of the first grid point.
        points: the number of grid points.

    Returns:
        ``points`` floats; point ``k`` is at ``start_s + k·STEP_S``.
    """
    values: FloatArray = grid_matrix([buckets], start_s, points)[0]
    return values


def grid_matrix(series: list[Buckets], start_s: int, points: int) -> FloatArray:
    """Return the grid values of many series at once, one row per series.

    The same elementwise rule for every row, so a row is bit for bit what the
    series gives alone; one set of numpy calls for 50 rooms instead of 50.

    Args:
        series: the non-empty buckets of each series around the period.
        start_s: epoch seconds of the first grid point.
        points: the number of grid points.

    Returns:
        ``len(series)`` rows of ``points`` floats; column ``k`` is at ``start_s + k·STEP_S``.
    """
    rows = len(series)
    if not rows:
        return np.zeros((0, points))
    size = points + 2 * PAD
    k = np.concatenate([b.k for b in series])
    row = np.repeat(np.arange(rows), [len(b.k) for b in series])
    keep = (k >= -PAD) & (k < points + PAD)
    at = (row[keep], k[keep] + PAD)

    def spread(column: str) -> FloatArray:
        # One extra NaN slot at the end: the "no such bucket" index points there.
        grid = np.full((rows, size + 1), np.nan)
        grid[at] = np.concatenate([getattr(b, column) for b in series])[keep]
        return grid

    count = np.zeros((rows, size + 1), dtype=np.int64)
    count[at] = np.concatenate([b.n for b in series])[keep]
    first_s, first_co2 = spread("first_s"), spread("first_co2")
    last_s, last_co2 = spread("last_s"), spread("last_co2")

    index = np.arange(size)
    filled = count[:, :size] > 0
    # latest non-empty bucket at or before each slot, and earliest at or after
    at_or_before = np.maximum.accumulate(np.where(filled, index, -1), axis=1)
    at_or_after = np.minimum.accumulate(np.where(filled, index, size)[:, ::-1], axis=1)[
        :, ::-1
    ]
    edge = np.full((rows, 1), size)
    before = np.concatenate((edge, at_or_before[:, :-1]), axis=1)
    before[before < 0] = size
    after = np.concatenate((at_or_after[:, 1:], edge), axis=1)

    def take(grid: FloatArray, where: IntArray) -> FloatArray:
        picked: FloatArray = np.take_along_axis(grid, where, axis=1)
        return picked

    marks = start_s + STEP_S * (index - PAD).astype(np.float64)
    prev_s, prev_co2 = take(last_s, before), take(last_co2, before)
    next_s, next_co2 = take(first_s, at_or_after), take(first_co2, at_or_after)

    exact = filled & (first_s[:, :size] == marks)
    linked = (
        (count[:, :size] >= 2)
        | (marks - prev_s <= MAX_GAP_S)
        | (take(first_s, after) - marks <= MAX_GAP_S)
    )
    span = next_s - prev_s
    bridged = ~exact & (span <= MAX_GAP_S)
    weight = np.divide(
        marks - prev_s, span, out=np.zeros((rows, size)), where=bridged & (span > 0)
    )
    interpolated = prev_co2 + (next_co2 - prev_co2) * weight
    values: FloatArray = np.where(
        exact,
        np.where(linked, first_co2[:, :size], np.nan),
        np.where(bridged, interpolated, np.nan),
    )
    return values[:, PAD : PAD + points]
