"""The series aggregates (Apache edition): contract shape, dirty log and refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Node
from app.services.series import aggregates
from tests.factories import make_node
from tests.support.series import Row, insert_rows, irregular_rows

T0 = datetime(2024, 5, 6, tzinfo=UTC)
CONTRACT_COLUMNS = [
    ("node_id", "uuid"),
    ("bucket", "timestamp with time zone"),
    *(
        (f"{q}_{agg}", None)
        for q in ("co2", "temperature", "humidity")
        for agg in ("count", "sum", "min", "max")
    ),
]
LEVEL_SQL = {
    "samples_10m": "time_bucket(INTERVAL '10 minutes', time)",
    "samples_1h": "time_bucket(INTERVAL '1 hour', time)",
    "samples_1d": "time_bucket(INTERVAL '1 day', time)",
    "samples_1mo": "time_bucket(INTERVAL '1 month', time)",
    "samples_1d_local": "time_bucket(INTERVAL '1 day', time, 'Europe/Berlin')",
}
LEVELS = (
    ("samples_10m", "10m"),
    ("samples_1h", "1h"),
    ("samples_1d", "1d"),
    ("samples_1mo", "1mo"),
    ("samples_1d_local", "1d_local"),
)


def _rollup(
    session: Session, relation: str, node: Node
) -> dict[datetime, tuple[Any, ...]]:
    rows = session.execute(
        text(
            f"SELECT bucket, co2_count, co2_sum, co2_min, co2_max, temperature_count, "  # noqa: S608
            f"temperature_sum, temperature_min, temperature_max, humidity_count, "
            f"humidity_sum, humidity_min, humidity_max FROM {relation} "
            "WHERE node_id = :node ORDER BY bucket"
        ),
        {"node": node.id},
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _direct(
    session: Session, relation: str, node: Node, below: datetime | None
) -> dict[datetime, tuple[Any, ...]]:
    bucket = LEVEL_SQL[relation]
    rows = session.execute(
        text(
            f"SELECT {bucket} AS b, count(co2_ppm), sum(co2_ppm)::float8, min(co2_ppm), "  # noqa: S608
            "max(co2_ppm), count(temperature_celsius), "
            "sum(temperature_celsius)::float8, min(temperature_celsius), "
            "max(temperature_celsius), count(rel_humidity_percent), "
            "sum(rel_humidity_percent)::float8, min(rel_humidity_percent), "
            f"max(rel_humidity_percent) FROM samples WHERE node_id = :node "
            f"GROUP BY b HAVING {bucket} < :below ORDER BY b"
        ),
        {"node": node.id, "below": below},
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _assert_levels_match_raw(session: Session, node: Node) -> None:
    for relation, level in LEVELS:
        mark = session.execute(
            text(
                "SELECT CASE WHEN isfinite(w) THEN w END FROM series_watermark(:level) w"
            ),
            {"level": level},
        ).scalar_one()
        stored, direct = (
            _rollup(session, relation, node),
            _direct(session, relation, node, mark),
        )
        assert stored.keys() == direct.keys(), relation
        for bucket, values in direct.items():
            got = stored[bucket]
            assert got[0::4] == values[0::4]  # counts
            assert got[2::4] == values[2::4]  # minima
            assert got[3::4] == values[3::4]  # maxima
            for a, b in zip(got[1::4], values[1::4], strict=True):  # sums
                assert (a is None and b is None) or abs(a - b) < 1e-6


def test_series_relations_have_the_contract_columns(session: Session) -> None:
    for relation, _ in LEVELS:
        rows = session.execute(
            text(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = CAST(:rel AS regclass) AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum"
            ),
            {"rel": relation},
        ).all()

        names = [name for name, _ in rows]
        types: dict[str, str] = {str(n): str(t) for n, t in rows}
        assert names == [name for name, _ in CONTRACT_COLUMNS]
        assert types["node_id"] == "uuid"
        assert types["co2_count"] == "bigint"
        assert types["temperature_sum"] == "double precision"


def test_refresh_first_time_materializes_every_level_equal_to_raw(
    session: Session,
) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=3), seed=3))

    stats = aggregates.refresh(
        session, until=T0 + timedelta(days=2, hours=5, minutes=7)
    )

    assert stats.watermark_before is None
    assert stats.watermark_after == T0 + timedelta(days=2, hours=5)
    assert stats.caught_up
    _assert_levels_match_raw(session, node)


def test_insert_logs_one_dirty_range_per_node_and_day(session: Session) -> None:
    a, b = make_node(session), make_node(session)
    insert_rows(session, a.id, irregular_rows(T0, T0 + timedelta(days=2), seed=4))
    insert_rows(session, b.id, irregular_rows(T0, T0 + timedelta(hours=3), seed=5))

    logged = session.execute(
        text(
            "SELECT node_id, count(*) FROM samples_dirty "
            "WHERE node_id IN (:a, :b) GROUP BY node_id"
        ),
        {"a": a.id, "b": b.id},
    ).all()

    assert dict(logged) == {a.id: 2, b.id: 1}


def test_refresh_recomputes_buckets_of_late_samples(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=2), seed=6))
    aggregates.refresh(session, until=T0 + timedelta(days=2))
    insert_rows(
        session,
        node.id,
        [Row(T0 + timedelta(hours=7, minutes=3, seconds=11), 9999, None, 0)],
    )

    stats = aggregates.refresh(session, until=T0 + timedelta(days=2))

    assert stats.dirty_taken == 1
    assert (stats.rows_10m, stats.rows_1h, stats.rows_1d) == (1, 1, 1)
    assert stats.rows_1d_local == 1
    _assert_levels_match_raw(session, node)


def test_refresh_removes_buckets_of_deleted_samples(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=1), seed=7))
    aggregates.refresh(session, until=T0 + timedelta(days=1))
    session.execute(
        text("DELETE FROM samples WHERE node_id = :node AND time >= :a AND time < :b"),
        {"node": node.id, "a": T0 + timedelta(hours=2), "b": T0 + timedelta(hours=4)},
    )

    aggregates.refresh(session, until=T0 + timedelta(days=1))

    _assert_levels_match_raw(session, node)
    hours = _rollup(session, "samples_1h", node)
    assert T0 + timedelta(hours=2) not in hours
    assert T0 + timedelta(hours=3) not in hours


def test_refresh_follows_a_sample_moved_by_an_update(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=1), seed=8))
    aggregates.refresh(session, until=T0 + timedelta(days=1))
    session.execute(
        text(
            "UPDATE samples SET time = time + INTERVAL '5 hours', co2_ppm = 7777 "
            "WHERE node_id = :node AND time = (SELECT min(time) FROM samples "
            "WHERE node_id = :node)"
        ),
        {"node": node.id},
    )

    aggregates.refresh(session, until=T0 + timedelta(days=1))

    _assert_levels_match_raw(session, node)


def test_refresh_advances_at_most_max_span_per_step(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=3), seed=9))
    until = T0 + timedelta(days=3)

    first = aggregates.refresh(session, until=until, max_span=timedelta(days=1))
    second = aggregates.refresh(session, until=until, max_span=timedelta(days=1))

    assert not first.caught_up
    assert second.watermark_before is not None
    assert second.watermark_after == second.watermark_before + timedelta(days=1)
    _assert_levels_match_raw(session, node)


def test_refresh_takes_at_most_max_dirty_logged_writes(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=1), seed=10))
    aggregates.refresh(session, until=T0 + timedelta(days=1))
    for minute in range(3):
        late = T0 + timedelta(hours=minute, seconds=13)
        insert_rows(session, node.id, [Row(late, 5000 + minute, None, None)])

    stats = aggregates.refresh(session, until=T0 + timedelta(days=1), max_dirty=2)

    assert (stats.dirty_taken, stats.dirty_left) == (2, 1)
    assert not stats.caught_up


def test_truncating_samples_empties_the_aggregates(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=1), seed=11))
    aggregates.refresh(session, until=T0 + timedelta(days=1))

    session.execute(text("TRUNCATE samples"))

    assert _rollup(session, "samples_10m", node) == {}
    assert _rollup(session, "samples_1d_local", node) == {}
    assert aggregates.status(session).watermarks["10m"] is None
    assert aggregates.status(session).watermarks["1d_local"] is None


def test_local_days_are_berlin_days_of_23_and_25_hours(session: Session) -> None:
    node = make_node(session)
    spring, autumn = (
        datetime(2024, 3, 30, tzinfo=UTC),
        datetime(2024, 10, 26, tzinfo=UTC),
    )
    for start in (spring, autumn):
        insert_rows(
            session, node.id, irregular_rows(start, start + timedelta(days=3), seed=14)
        )

    aggregates.refresh(session, until=autumn + timedelta(days=3))

    days = _rollup(session, "samples_1d_local", node)
    assert datetime(2024, 3, 30, 23, tzinfo=UTC) in days  # Sunday 31 March, 23 hours
    assert datetime(2024, 3, 31, 22, tzinfo=UTC) in days
    assert datetime(2024, 10, 26, 22, tzinfo=UTC) in days  # Sunday 27 October, 25 hours
    assert datetime(2024, 10, 27, 23, tzinfo=UTC) in days
    _assert_levels_match_raw(session, node)


def test_status_reports_edition_watermarks_and_waiting_writes(session: Session) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(hours=5), seed=12))
    aggregates.refresh(session, until=T0 + timedelta(hours=2, minutes=35))
    insert_rows(session, node.id, [Row(T0 + timedelta(seconds=1), 400, None, None)])

    report = aggregates.status(session)

    assert report.edition == "apache"
    assert report.watermarks == {
        "10m": T0 + timedelta(hours=2, minutes=30),
        "1h": T0 + timedelta(hours=2),
        "1d": T0,
        "1mo": datetime(2024, 5, 1, tzinfo=UTC),
        "1d_local": None,  # no Berlin day has ended: its first one ends at 22:00 UTC
    }
    assert report.dirty == 1


def test_sample_committed_after_refresh_snapshot_is_not_missed() -> None:
    import psycopg

    from tests.support.database import _libpq, insert_node, migrated_database

    with migrated_database("co2_series") as url:
        dsn = _libpq(url)
        node_id = insert_node(dsn)
        late = T0 + timedelta(hours=1, minutes=2)
        refresh = "SELECT * FROM series_refresh(%s)"
        with psycopg.connect(dsn) as writer, psycopg.connect(dsn) as refresher:
            writer.execute(
                "INSERT INTO samples (time, node_id, co2_ppm) VALUES (%s, %s, 1234)",
                (late, node_id),
            )
            refresher.execute(refresh, (T0 + timedelta(days=1),))
            refresher.commit()
            writer.commit()
            missing = refresher.execute(
                "SELECT count(*) FROM samples_10m WHERE co2_max = 1234"
            ).fetchone()
            refresher.execute(refresh, (T0 + timedelta(days=1),))
            refresher.commit()
            found = refresher.execute(
                "SELECT co2_count FROM samples_10m WHERE co2_max = 1234"
            ).fetchone()
            refresher.rollback()

    assert missing == (0,)
    assert found == (1,)


def test_local_days_fill_an_existing_history_in_bounded_steps(
    session: Session,
) -> None:
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=8), seed=15))
    until = T0 + timedelta(days=8)
    aggregates.refresh(session, until=until)
    # The state right after migration 0009 on a database with history.
    session.execute(text("DELETE FROM samples_1d_local"))
    session.execute(
        text("UPDATE samples_1d_local_watermark SET watermark = '-infinity'")
    )

    steps = [aggregates.refresh(session, until=until, max_span=timedelta(days=3))]
    while not steps[-1].caught_up:
        steps.append(
            aggregates.refresh(session, until=until, max_span=timedelta(days=3))
        )

    assert steps[0].local_days_behind
    assert 0 < steps[0].rows_1d_local < 9
    assert len(steps) >= 3
    _assert_levels_match_raw(session, node)
