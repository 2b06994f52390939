"""The TSL edition's storage (PGlite's TimescaleDB build): compression of samples and
aggregates, idempotent ingest into compressed ranges, deletes, bytes per sample, and
retention that keeps the aggregates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import flask_migrate
import pytest

from flask import Flask

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Node
from app.services.access import SYSTEM
from app.services.ops import footprint, retention, storage
from app.services.series import aggregates
from tests.factories import make_ingest_key, make_installation, make_node
from tests.support.pglite import pglite_app

pytestmark = pytest.mark.tsl

DAYS = 120
COMPRESS_AFTER = 30
POLICY = storage.StoragePolicy(
    chunk_days=30, compress_after_days=COMPRESS_AFTER, retention_days=0
)
# Five-minute samples as a room sensor sends them: regular times, CO2 following the
# occupancy of the day with a little noise, temperature in tenths, humidity in percent.
_LOAD = text(
    "INSERT INTO samples (node_id, time, co2_ppm, temperature_celsius, "
    "rel_humidity_percent) "
    "SELECT :node, t, "
    "(450 + 350 * greatest(0, sin(pi() * (extract(hour FROM t) - 7) / 10)) "
    " + 15 * random())::smallint, "
    "round((20.5 + 1.5 * sin(pi() * extract(hour FROM t) / 12) + 0.2 * random())"
    "::numeric, 1), "
    "(45 + 8 * sin(pi() * extract(hour FROM t) / 12) + 2 * random())::smallint "
    "FROM generate_series(CAST(:start AS timestamptz), CAST(:stop AS timestamptz), "
    "INTERVAL '5 minutes') AS t"
)
_LEVEL_SUMS = text(
    "SELECT sum(co2_count), sum(co2_sum) FROM samples_1d "
    "WHERE node_id = :node AND bucket < CAST(:before AS timestamptz)"
)


@dataclass(frozen=True)
class Stored:
    """The loaded database: nodes, ingest token, footprints around compression."""

    app: Flask
    nodes: list[uuid.UUID]
    token: str
    start: datetime
    applied: storage.StorageApplied
    before: footprint.Footprint
    after: footprint.Footprint
    compressed_chunks: int


@pytest.fixture(scope="module")
def stored(pglite_url: str) -> Iterator[Stored]:
    """Migrate, apply the policy, load 120 days of 3 nodes, refresh, compress."""
    # PGlite serves one connection at a time: no second pool for the fast path.
    app = pglite_app(pglite_url, INGEST_FAST_PATH=False, LOG_LEVEL="WARNING")
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= timedelta(days=DAYS)
    with app.app_context():
        flask_migrate.upgrade()
        session = db.session()
        applied = storage.apply(session, SYSTEM, POLICY)
        first = make_node(session)
        nodes = [first, *(make_node(session, owner=first.owner) for _ in range(2))]
        token = make_ingest_key(session, first.owner)
        for node in nodes:
            session.execute(
                _LOAD,
                {
                    "node": node.id,
                    "start": start,
                    "stop": start + timedelta(days=DAYS - 1),
                },
            )
        session.commit()
        ids = [node.id for node in nodes]
        db.session.remove()
        aggregates.refresh(db.session())
        db.session.remove()
        before = footprint.measure(db.session())
        compressed = storage.compress_now(db.session(), SYSTEM, COMPRESS_AFTER)
        db.session.commit()
        after = footprint.measure(db.session())
        db.session.remove()
    # Outside the set-up's app context: the CLI runner would otherwise reuse its
    # session, and PGlite serves one connection at a time.
    yield Stored(app, ids, token, start, applied, before, after, compressed)
    with app.app_context():
        db.engine.dispose()


def _level(report: footprint.Footprint, name: str) -> footprint.LevelFootprint:
    return next(level for level in report.levels if level.level == name)


def test_tsl_policy_compresses_samples_by_node_newest_first_and_every_level(
    stored: Stored,
) -> None:
    with stored.app.app_context():
        session = db.session()
        settings = session.execute(
            text(
                "SELECT attname, segmentby_column_index, orderby_column_index, "
                "orderby_asc FROM timescaledb_information.compression_settings "
                "WHERE hypertable_name = 'samples' ORDER BY attname"
            )
        ).all()
        policies: dict[str, str] = dict(
            session.execute(
                text(
                    "SELECT coalesce(c.view_name, j.hypertable_name), "
                    "j.config ->> 'compress_after' "
                    "FROM timescaledb_information.jobs j "
                    "LEFT JOIN timescaledb_information.continuous_aggregates c "
                    "ON c.materialization_hypertable_name = j.hypertable_name "
                    "WHERE j.proc_name = 'policy_compression'"
                )
            ).all()
        )
        interval = session.execute(
            text(
                "SELECT time_interval FROM timescaledb_information.dimensions "
                "WHERE hypertable_name = 'samples'"
            )
        ).scalar_one()
        db.session.remove()

    assert ("node_id", 1, None, None) in settings
    assert ("time", None, 1, False) in settings
    assert policies == dict.fromkeys(
        ("samples", *storage.CAGGS), f"{COMPRESS_AFTER} days"
    )
    assert interval == timedelta(days=POLICY.chunk_days)
    assert stored.applied.edition == "timescale"
    assert stored.compressed_chunks > 0


def test_tsl_compression_stores_a_sample_in_at_most_15_bytes(stored: Stored) -> None:
    raw_before = _level(stored.before, "raw")
    raw_after = _level(stored.after, "raw")
    compressed_samples = _compressed_samples(stored)

    assert raw_before.compressed_bytes == 0
    assert raw_after.compressed_bytes > 0
    per_sample = raw_after.compressed_bytes / compressed_samples
    assert per_sample <= 15, per_sample
    assert raw_after.compressed_bytes_before / compressed_samples > 100
    assert stored.after.total_bytes < stored.before.total_bytes


def _scalar(stored: Stored, sql: str, **params: Any) -> Any:
    """One value, read on a session of its own (PGlite: one connection at a time)."""
    with stored.app.app_context():
        value = db.session().execute(text(sql), params).scalar_one()
        db.session.remove()
    return value


def _compressed_samples(stored: Stored) -> int:
    return int(
        _scalar(
            stored,
            "SELECT count(*) FROM samples WHERE time < ("
            "SELECT max(range_end) FROM timescaledb_information.chunks "
            "WHERE hypertable_name = 'samples' AND is_compressed)",
        )
    )


def _single(stored: Stored, moment: datetime, co2: int) -> Any:
    body = {
        "data": {
            "type": "Sample",
            "attributes": {
                "timestamp_s": int(moment.timestamp()),
                "co2_ppm": co2,
                "temperature_celsius": 21.5,
                "rel_humidity_percent": 45,
            },
            "relationships": {
                "node": {"data": {"type": "Node", "id": str(stored.nodes[0])}}
            },
        }
    }
    headers = {
        "Authorization": f"Token {stored.token}",
        "Content-Type": "application/vnd.api+json",
    }
    with stored.app.test_client() as client:
        return client.post("/ingest/v1/ingest/", json=body, headers=headers)


def _is_compressed(stored: Stored, moment: datetime) -> bool:
    return bool(
        _scalar(
            stored,
            "SELECT c.is_compressed FROM timescaledb_information.chunks c "
            "WHERE c.hypertable_name = 'samples' "
            "AND c.range_start <= :t AND :t < c.range_end",
            t=moment,
        )
    )


def test_tsl_late_single_sample_into_a_compressed_range_is_201_200_409(
    stored: Stored,
) -> None:
    late = stored.start + timedelta(days=20, seconds=150)  # between two samples
    existing = stored.start + timedelta(days=21)
    assert _is_compressed(stored, late)

    answers = [
        _single(stored, late, 777).status_code,
        _single(stored, late, 777).status_code,
        _single(stored, late, 778).status_code,
        _single(stored, existing, 1).status_code,
    ]

    assert answers == [201, 200, 409, 409]


def test_tsl_compressed_chunks_keep_the_key_the_batch_path_relies_on(
    stored: Stored,
) -> None:
    """The batch path (``ingest/store.py``) inserts plainly and falls back to ``ON
    CONFLICT DO NOTHING ... RETURNING`` on a unique violation. PGlite cannot run the
    batch route itself (its COPY FROM STDIN aborts the server), so this checks both
    statements on a compressed chunk directly."""
    node = stored.nodes[0]
    existing = stored.start + timedelta(days=22)
    fresh = existing + timedelta(seconds=100)
    plain = text(
        "INSERT INTO samples (node_id, time, co2_ppm) "
        "SELECT :n, t, 900 FROM unnest(CAST(:times AS timestamptz[])) AS t"
    )
    with stored.app.app_context():
        session = db.session()
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(plain, {"n": node, "times": [fresh, existing]})
        kept = session.execute(
            text(
                f"{plain.text} ORDER BY t ON CONFLICT (node_id, time) DO NOTHING "
                "RETURNING time"
            ),
            {"n": node, "times": [fresh, existing]},
        ).scalars()
        inserted = list(kept)
        session.rollback()
        db.session.remove()

    assert _is_compressed(stored, existing)
    assert inserted == [fresh]


def test_tsl_deleting_a_node_deletes_its_compressed_samples(stored: Stored) -> None:
    gone = stored.nodes[2]
    with stored.app.app_context():
        session = db.session()
        session.execute(text("DELETE FROM nodes WHERE id = :n"), {"n": gone})
        session.commit()
        left = session.execute(
            text("SELECT count(*) FROM samples WHERE node_id = :n"), {"n": gone}
        ).scalar_one()
        others = session.execute(
            text("SELECT count(*) FROM samples WHERE node_id = :n"),
            {"n": stored.nodes[1]},
        ).scalar_one()
        db.session.remove()

    assert left == 0
    assert others > 0


def test_tsl_tallies_stay_exact_through_writes_into_compressed_chunks(
    stored: Stored,
) -> None:
    """Late and duplicate inserts, a delete and a new installation in compressed
    ranges: the tallies' triggers fire there as in fresh chunks."""
    node = stored.nodes[0]
    late = stored.start + timedelta(days=23, seconds=77)
    inside = stored.start + timedelta(days=24)
    with stored.app.app_context():
        session = db.session()
        session.execute(
            text(
                "INSERT INTO samples (node_id, time, co2_ppm) "
                "SELECT :n, t, 901 FROM unnest(CAST(:times AS timestamptz[])) AS t "
                "ON CONFLICT (node_id, time) DO NOTHING"
            ),
            {"n": node, "times": [late, inside]},  # one new, one duplicate
        )
        session.execute(
            text(
                "DELETE FROM samples WHERE node_id = :n "
                "AND time >= :t AND time < :t + INTERVAL '2 hours'"
            ),
            {"n": node, "t": inside + timedelta(hours=5)},
        )
        installation = make_installation(
            session,
            session.get(Node, node),
            from_time=stored.start + timedelta(days=10),
            to_time=stored.start + timedelta(days=25, minutes=1),
        )
        rows = session.execute(
            text(
                "SELECT t.samples, t.newest, d.n, d.newest "
                "FROM node_tallies t, LATERAL (SELECT count(*) AS n, max(time) AS newest "
                "FROM samples WHERE node_id = t.node_id) d WHERE t.node_id = :n "
                "UNION ALL "
                "SELECT t.samples, t.newest, d.n, d.newest "
                "FROM installation_tallies t, LATERAL (SELECT count(*) AS n, "
                "max(time) AS newest FROM samples WHERE node_id = :n "
                "AND time >= :lo AND time <= :hi) d WHERE t.installation_id = :i"
            ),
            {
                "n": node,
                "i": installation.id,
                "lo": installation.from_time,
                "hi": installation.to_time,
            },
        ).all()
        session.rollback()
        db.session.remove()

    assert _is_compressed(stored, late)
    assert _is_compressed(stored, inside)
    assert len(rows) == 2
    for tally, newest, count, direct_newest in rows:
        assert (tally, newest) == (count, direct_newest)


def test_tsl_storage_command_prints_bytes_per_sample_per_level(
    stored: Stored,
) -> None:
    with stored.app.app_context():
        result = stored.app.test_cli_runner().invoke(args=["series", "storage"])

    assert result.exit_code == 0, result.output
    for level in ("raw", "10m", "1h", "1d", "local days"):
        assert f"\n{level:<11}" in result.output
    assert "compressed" in result.output
    assert "timescale edition" in result.output


def test_tsl_retention_drops_raw_chunks_and_keeps_the_aggregates(
    stored: Stored,
) -> None:
    node = stored.nodes[1]
    keep_days = DAYS - 40
    with stored.app.app_context():
        horizon = datetime.now(UTC) - timedelta(days=keep_days)
        sums_before = (
            db.session().execute(_LEVEL_SUMS, {"node": node, "before": horizon}).one()
        )
        result = retention.apply(
            db.session(), SYSTEM, samples_days=keep_days, outbox_days=30
        )
        db.session.commit()
        oldest = db.session().execute(text("SELECT min(time) FROM samples")).scalar()
        starts = set(
            db.session()
            .execute(
                text(
                    "SELECT config ->> 'start_offset' FROM timescaledb_information.jobs "
                    "WHERE proc_name = 'policy_refresh_continuous_aggregate'"
                )
            )
            .scalars()
        )
        db.session.remove()
        aggregates.refresh(db.session())
        db.session.remove()
        # A late sample into the dropped range: its raw neighbours are gone.
        late = stored.start + timedelta(days=3, seconds=30)
        db.session().execute(
            text("INSERT INTO samples (node_id, time, co2_ppm) VALUES (:n, :t, 5000)"),
            {"n": node, "t": late},
        )
        db.session.commit()
        db.session.remove()
        aggregates.refresh(db.session())
        db.session.remove()
        sums_after = (
            db.session().execute(_LEVEL_SUMS, {"node": node, "before": horizon}).one()
        )
        db.session.remove()

    assert result.sample_chunks_dropped > 0
    assert starts == {f"{keep_days} days"}
    assert oldest is not None
    assert stored.start < oldest <= horizon
    assert sums_before[0] > 0
    assert tuple(sums_after) == tuple(sums_before)
