"""The TSL edition (PGlite's TimescaleDB build): migrations build hierarchical
continuous aggregates, and the series read from them equal the Apache edition's."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import flask_migrate
import pytest

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.extensions import db
from app.services.series import aggregates
from app.services.series import buckets as tb
from app.services.series.downsampled import (
    Series,
    SeriesQuery,
    SeriesSource,
    read_series,
)
from app.services.series.epoch import to_epoch
from app.services.series.stats import window_stats
from app.services.series.window import ALL_TIME, ONE_US, Window
from tests.factories import make_node
from tests.support.pglite import pglite_app
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

pytestmark = pytest.mark.tsl

NODE_ID = uuid.UUID("7d3c0f52-0b7e-4b8e-9a51-2f3c8a1d0e01")
ALL = ("co2_ppm", "temperature_celsius", "rel_humidity_percent")
QUERIES = [
    SeriesQuery(
        Window(SPRING[0], AUTUMN[1]),
        "1d",
        ("avg", "min", "max", "count"),
        ALL,
        "Europe/Berlin",
    ),
    SeriesQuery(Window(SPRING[0], AUTUMN[1]), "1d", ("avg", "count"), ALL, "UTC"),
    SeriesQuery(Window(SPRING[0], AUTUMN[1]), "1d", ("avg",), ALL, "Asia/Kolkata"),
    SeriesQuery(
        Window.inclusive(SPRING[0] + timedelta(hours=5, seconds=17), SPRING[1]),
        "1h",
        ("avg", "min", "max", "count"),
        ALL,
    ),
    SeriesQuery(
        Window(AUTUMN[0] + timedelta(minutes=3), AUTUMN[1]),
        "10m",
        ("avg", "max", "count"),
        ("co2_ppm", "temperature_celsius"),
    ),
    SeriesQuery(
        Window(AUTUMN[0], AUTUMN[0] + timedelta(days=2)),
        "auto",
        ("avg",),
        ALL,
        max_points=100,
    ),
    SeriesQuery(
        Window(SPRING[0], SPRING[0] + timedelta(hours=6)),
        "raw",
        ("avg", "count"),
        ALL,
    ),
]


@dataclass(frozen=True)
class TslRun:
    """What the TSL edition did and answered."""

    edition: str
    caggs: list[dict[str, Any]]
    jobs: list[str]
    watermarks: dict[str, Any]
    series: list[Series]
    caggs_after_downgrade: int
    caggs_after_upgrade: int
    #: window_stats after unrefreshed late writes, next to a direct count/max(time).
    stats: list[tuple[tuple[int, datetime | None], tuple[int, datetime | None]]]


def _seed(session: Session) -> int:
    owner_id = session.execute(
        text("INSERT INTO organizations (name) VALUES ('TSL org') RETURNING id")
    ).scalar_one()
    session.execute(text("INSERT INTO protocols (identifier) VALUES ('TSL')"))
    session.execute(
        text(
            "INSERT INTO node_models (name, trade_name, manufacturer, sensor_type) "
            "VALUES ('TSL', 'TSL', 'TSL', 'NDIR')"
        )
    )
    session.execute(
        text(
            "INSERT INTO nodes (id, eui64, alias, protocol_id, model_id, owner_id) "
            "SELECT :id, '00TSL', 'tsl', p.id, m.id, :owner "
            "FROM protocols p, node_models m"
        ),
        {"id": NODE_ID, "owner": owner_id},
    )
    insert_rows(session, NODE_ID, fixed_rows())
    return int(owner_id)


@pytest.fixture(scope="module")
def tsl(pglite_url: str) -> TslRun:
    """Migrate PGlite, load the fixed data set, refresh, read every query."""
    app = pglite_app(pglite_url)
    with app.app_context():
        flask_migrate.upgrade()
        session = db.session()
        owner_id = _seed(session)
        session.commit()
        db.session.remove()
        aggregates.refresh(db.session(), until=REFRESHED_UNTIL)
        db.session.remove()
        insert_rows(db.session(), NODE_ID, late_rows())
        db.session.commit()
        db.session.remove()
        aggregates.refresh(db.session(), until=REFRESHED_UNTIL)
        db.session.remove()

        session = db.session()
        edition = session.execute(text("SHOW timescaledb.license")).scalar_one()
        caggs = [
            dict(row)
            for row in session.execute(
                text(
                    "SELECT view_name, materialized_only, view_definition "
                    "FROM timescaledb_information.continuous_aggregates "
                    "ORDER BY view_name"
                )
            ).mappings()
        ]
        jobs = list(
            session.execute(
                text(
                    "SELECT hypertable_name FROM timescaledb_information.jobs "
                    "WHERE proc_name = 'policy_refresh_continuous_aggregate'"
                )
            ).scalars()
        )
        watermarks = aggregates.status(session).watermarks
        source = SeriesSource(NODE_ID, owner_id)
        answers = [read_series(session, source, query) for query in QUERIES]
        db.session.remove()
        stats = _stats_after_late_writes()

        flask_migrate.downgrade(revision="0003")
        count = text(
            "SELECT count(*) FROM timescaledb_information.continuous_aggregates"
        )
        after_down = db.session().execute(count).scalar_one()
        db.session.remove()
        flask_migrate.upgrade()
        after_up = db.session().execute(count).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return TslRun(
        edition, caggs, jobs, watermarks, answers, after_down, after_up, stats
    )


def _stats_after_late_writes() -> list[
    tuple[tuple[int, datetime | None], tuple[int, datetime | None]]
]:
    """Write below the watermark without a refresh, then compare the statistics."""
    session = db.session()
    day = datetime(2024, 3, 30, tzinfo=UTC)
    insert_rows(
        session,
        NODE_ID,
        [
            Row(day + timedelta(hours=5, seconds=3), 4321, None, 10),
            Row(day + timedelta(days=1, seconds=-1), 1234, None, None),
            # A whole stored month (samples_1mo), on a day without samples.
            Row(datetime(2024, 4, 15, 12, tzinfo=UTC), 888, None, None),
        ],
    )
    session.execute(
        text(
            "DELETE FROM samples WHERE node_id = :node "
            "AND time >= :day + INTERVAL '1 day' AND time < :day + INTERVAL '26 hours'"
        ),
        {"node": NODE_ID, "day": day},
    )
    session.commit()
    windows = [
        ALL_TIME,
        Window.inclusive(SPRING[0] + timedelta(hours=5, seconds=17), SPRING[1]),
        Window(day, day + timedelta(days=2)),
        Window(datetime(2024, 3, 15, tzinfo=UTC), AUTUMN[1]),  # whole months
    ]
    found = window_stats(session, [(NODE_ID, w) for w in windows])
    db.session.remove()
    # The days refreshed, the months not yet: the change waits in samples_1d's log.
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for name in ("samples_10m", "samples_1h", "samples_1d"):
            conn.execute(
                text(f"CALL refresh_continuous_aggregate('{name}', NULL, :end)"),
                {"end": REFRESHED_UNTIL},
            )
    session = db.session()
    found += window_stats(session, [(NODE_ID, w) for w in windows])
    rows = stored_rows(session, NODE_ID)
    db.session.remove()
    result = []
    for window, stats in zip(windows * 2, found, strict=True):
        inside = [r.time for r in rows if window.start <= r.time < window.stop]
        result.append(
            ((stats.count, stats.last), (len(inside), max(inside, default=None)))
        )
    return result


def test_tsl_edition_gets_hierarchical_real_time_caggs_with_policies(
    tsl: TslRun,
) -> None:
    by_name = {c["view_name"]: c for c in tsl.caggs}

    assert tsl.edition == "timescale"
    assert sorted(by_name) == [
        "samples_10m",
        "samples_1d",
        "samples_1d_local",
        "samples_1h",
        "samples_1mo",
    ]
    assert not any(c["materialized_only"] for c in tsl.caggs)
    assert "samples_10m" in by_name["samples_1h"]["view_definition"]
    assert "samples_1h" in by_name["samples_1d"]["view_definition"]
    assert "samples_1d" in by_name["samples_1mo"]["view_definition"]
    local_days = by_name["samples_1d_local"]["view_definition"]
    assert "samples_10m" in local_days
    assert "Europe/Berlin" in local_days
    assert len(tsl.jobs) == 5


def test_tsl_refresh_moves_every_watermark(tsl: TslRun) -> None:
    assert tsl.watermarks["10m"] == tb.floor(REFRESHED_UNTIL, 600)
    assert tsl.watermarks["1h"] == tb.floor(REFRESHED_UNTIL, 3600)
    assert tsl.watermarks["1d"] == tb.floor(REFRESHED_UNTIL, 86400)
    # TimescaleDB's watermark ends at the last materialized bucket: no sample from May
    # to September, so months from May on are read as days (still exact).
    assert tsl.watermarks["1mo"] == datetime(2024, 5, 1, tzinfo=UTC)
    # The last Berlin midnight before 13:07 UTC on 27 October (CEST until 01:00 UTC).
    assert tsl.watermarks["1d_local"] == datetime(2024, 10, 26, 22, tzinfo=UTC)


def test_tsl_counts_are_exact_after_late_writes_before_a_refresh(tsl: TslRun) -> None:
    for found, expected in tsl.stats:
        assert found == expected


def test_tsl_downgrade_drops_the_caggs_and_upgrade_rebuilds_them(tsl: TslRun) -> None:
    assert tsl.caggs_after_downgrade == 0
    assert tsl.caggs_after_upgrade == 5


def test_tsl_series_equal_the_apache_series(session: Session, tsl: TslRun) -> None:
    node = make_node(session, id=NODE_ID)
    insert_rows(session, node.id, fixed_rows())
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    insert_rows(session, node.id, late_rows())
    aggregates.refresh(session, until=REFRESHED_UNTIL)
    source = SeriesSource(node.id, node.owner_id)

    apache = [read_series(session, source, query) for query in QUERIES]

    for query, mine, theirs in zip(QUERIES, apache, tsl.series, strict=True):
        assert theirs.resolution == mine.resolution, query
        assert theirs.timestamps_s == mine.timestamps_s, query
        for name, values in mine.columns.items():
            other = theirs.columns[name]
            if name.endswith("_avg"):
                assert all(
                    (a is None and b is None) or math.isclose(a, b, abs_tol=0.011)
                    for a, b in zip(values, other, strict=True)
                ), (query, name)
            else:
                assert other == values, (query, name)


def test_tsl_series_equal_a_direct_aggregate_of_the_samples(
    session: Session, tsl: TslRun
) -> None:
    node = make_node(session, id=NODE_ID)
    insert_rows(session, node.id, fixed_rows() + late_rows())
    rows = stored_rows(session, node.id)

    for query, series in zip(QUERIES, tsl.series, strict=True):
        key: Callable[[datetime], Hashable]
        actual_key: Callable[[int], Hashable]
        if series.resolution == "raw":
            key, actual_key = (lambda t: to_epoch(t)), (lambda s: s)
        elif series.resolution == "1d":
            zone = ZoneInfo(query.tz)
            key, actual_key = day_key(zone), local_day_of(zone)
        else:
            seconds = tb.LEVELS[series.resolution].seconds
            key, actual_key = utc_key(seconds), (lambda s: s)
        end = query.window.stop - ONE_US
        expected = reference(
            rows, query.window.start, end, key, query.quantities, query.aggregates
        )
        assert_series_matches(
            by_bucket(series.timestamps_s, series.columns, actual_key), expected
        )


def test_tsl_day_zone_rebuild_recreates_the_cagg_in_the_new_zone(
    tsl: TslRun, pglite_url: str
) -> None:
    app = pglite_app(pglite_url)
    definition = text(
        "SELECT view_definition FROM timescaledb_information.continuous_aggregates "
        "WHERE view_name = 'samples_1d_local'"
    )
    policies = text(  # dropping the cagg dropped its policy; 061 adds it again
        "SELECT count(*) FROM timescaledb_information.jobs "
        "WHERE proc_name = 'policy_refresh_continuous_aggregate'"
    )
    with app.app_context():
        session = db.session()
        aggregates.rezone_local_days(session, "America/New_York")
        session.commit()
        rebuilt = session.execute(definition).scalar_one()
        policy_count = session.execute(policies).scalar_one()
        aggregates.rezone_local_days(session, "Europe/Berlin")
        session.commit()
        db.session.remove()
        db.engine.dispose()

    assert "America/New_York" in rebuilt
    assert policy_count == 5
