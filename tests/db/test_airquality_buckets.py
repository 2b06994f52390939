"""The grid's buckets, reduced in numpy from raw samples, equal the 10-minute
``time_bucket`` grouping SQL did before (kept here as the reference): same
buckets, counts, first and last samples, for every series of one statement."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

import psycopg
from sqlalchemy.orm import Session

from app.services.airquality.grid import Buckets, load_grouped
from app.services.airquality.sources import MARGIN, Span
from app.services.dashboard.days import day_period
from tests.support.airquality import BERLIN, berlin, fill, room_world
from tests.support.copy_series import insert_series

# What load_grouped ran before it fetched raw samples: SQL's own grouping.
REFERENCE_SQL = """
    WITH clip AS (
        SELECT c.source, c.node_id, c.lo, c.hi
        FROM unnest(CAST(%(sources)s AS integer[]), CAST(%(node_ids)s AS uuid[]),
                    CAST(%(los)s AS timestamptz[]), CAST(%(his)s AS timestamptz[]))
             AS c (source, node_id, lo, hi)
    )
    SELECT s.source,
        CAST((extract(epoch FROM time_bucket(interval '10 minutes', s.time,
                                             CAST(%(origin)s AS timestamptz)))
              - extract(epoch FROM CAST(%(origin)s AS timestamptz))) / 600
             AS integer),
        CAST(count(*) AS integer),
        CAST(extract(epoch FROM min(s.time)) AS float8),
        CAST(first(s.co2_ppm, s.time) AS float8),
        CAST(extract(epoch FROM max(s.time)) AS float8),
        CAST(last(s.co2_ppm, s.time) AS float8)
    FROM (
        -- a sample reached through two touching spans of one series is one sample
        SELECT DISTINCT clip.source, s.time, s.co2_ppm
        FROM clip
        JOIN samples AS s
          ON s.node_id = clip.node_id AND s.time BETWEEN clip.lo AND clip.hi
        WHERE s.time BETWEEN %(scan_from)s AND %(scan_to)s
    ) AS s (source, time, co2_ppm)
    GROUP BY 1, 2
    ORDER BY 1, 2
"""


def _reference(
    session: Session, spans: list[Span], groups: list[int], origin: Any
) -> list[tuple[Any, ...]]:
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    params = {
        "sources": groups,
        "node_ids": [s.node_id for s in spans],
        "los": [s.start for s in spans],
        "his": [s.end for s in spans],
        "origin": origin.start,
        "scan_from": origin.start - MARGIN,
        "scan_to": origin.end + MARGIN,
    }
    with driver.cursor() as cursor:
        return cursor.execute(REFERENCE_SQL, params).fetchall()


def _rows(found: dict[int, Buckets]) -> list[tuple[Any, ...]]:
    return [
        (source, *row)
        for source in sorted(found)
        for row in zip(
            *(
                np.asarray(getattr(found[source], name)).tolist()
                for name in ("k", "n", "first_s", "first_co2", "last_s", "last_co2")
            ),
            strict=True,
        )
    ]


def test_numpy_buckets_equal_sql_time_buckets(session: Session) -> None:
    world = room_world(session, is_public=False)
    other = world.add_node(session, from_time=berlin(2024, 3, 1))
    first = date(2024, 3, 30)
    period = day_period(first, first + timedelta(days=2), BERLIN)  # DST switch
    # 7-minute steps cross bucket edges at every offset; some land on an edge
    fill(
        session,
        world.node,
        berlin(2024, 3, 30),
        berlin(2024, 4, 1),
        step=timedelta(minutes=7),
        co2_ppm=lambda t: 400 + t.minute * 13,
    )
    insert_series(
        session,
        other.id,
        berlin(2024, 3, 30, 5),
        berlin(2024, 3, 31, 9),
        timedelta(seconds=150),
        co2_ppm=lambda t: 900 + t.second,
    )
    touch = berlin(2024, 3, 30, 12, 6)  # a sample of world.node is exactly here
    spans = [
        # two installations of one node touching at a sample: one series
        Span(1, world.node.id, berlin(2024, 3, 29), touch),
        Span(2, world.node.id, touch, berlin(2024, 4, 2)),
        Span(3, other.id, berlin(2024, 3, 30, 6), berlin(2024, 3, 31, 8, 33)),
        # the same node again in another room: its own series
        Span(4, world.node.id, berlin(2024, 3, 31, 2), berlin(2024, 3, 31, 20)),
    ]
    groups = [0, 0, 1, 2]

    found = load_grouped(session, spans, groups, period)

    expected = _reference(session, spans, groups, period)
    assert len(expected) > 500
    assert (0, 72, 1, touch.timestamp(), 478.0, touch.timestamp(), 478.0) in expected
    assert _rows(found) == [tuple(row) for row in expected]
