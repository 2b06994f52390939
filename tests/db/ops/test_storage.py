"""Storage settings and retention on the Apache edition: the chunk interval is a
setting, compression is reported as absent, and retention drops raw chunks while the
rollups of the dropped range stay as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.services.access import SYSTEM, Actor
from app.services.ops import retention, storage
from app.services.series import aggregates
from tests.factories import make_node
from tests.support.series import insert_rows, irregular_rows

LEVELS = ("samples_10m", "samples_1h", "samples_1d", "samples_1d_local")


def _interval(session: Session) -> Any:
    return session.execute(
        text(
            "SELECT time_interval FROM timescaledb_information.dimensions "
            "WHERE hypertable_name = 'samples'"
        )
    ).scalar_one()


def test_chunk_interval_is_the_setting_and_apache_reports_no_compression(
    session: Session,
) -> None:
    applied = storage.apply(session, SYSTEM, storage.StoragePolicy(90, 30, 0))

    assert _interval(session) == timedelta(days=90)
    assert applied.edition == "apache"
    assert "not available" in applied.compression
    storage.apply(session, SYSTEM, storage.StoragePolicy(14, 0, 0))
    assert _interval(session) == timedelta(days=14)


def test_only_the_system_changes_storage(session: Session) -> None:
    with pytest.raises(ForbiddenError):
        storage.apply(session, Actor(user_id=1), storage.StoragePolicy(7, 0, 0))


def _sums(session: Session, before: datetime) -> dict[str, tuple[Any, ...]]:
    return {
        level: tuple(
            session.execute(
                text(
                    "SELECT count(*), sum(co2_count), sum(co2_sum), "  # noqa: S608
                    f"sum(temperature_count), max(co2_max) FROM {level} "
                    "WHERE bucket < :before"
                ),
                {"before": before},
            ).one()
        )
        for level in LEVELS
    }


def _refresh(session: Session) -> None:
    while not aggregates.refresh(session).caught_up:
        pass


def test_retention_drops_raw_chunks_and_the_rollups_of_that_range_survive(
    session: Session,
) -> None:
    node = make_node(session)
    now = datetime.now(UTC)
    start = now - timedelta(days=150)
    insert_rows(session, node.id, irregular_rows(start, now - timedelta(days=1), 7))
    _refresh(session)
    horizon = now - timedelta(days=60)
    kept = _sums(session, horizon)

    result = retention.apply(session, SYSTEM, samples_days=60, outbox_days=30)
    oldest = session.execute(text("SELECT min(time) FROM samples")).scalar_one()
    # A late sample into the dropped range, then refreshes: the rollups must not be
    # recomputed from the one raw sample that is there now.
    insert_rows(session, node.id, irregular_rows(start, start + timedelta(hours=1), 9))
    _refresh(session)

    assert result.sample_chunks_dropped > 0
    assert start < oldest <= horizon
    assert kept["samples_1d"][0] >= 80
    assert _sums(session, horizon) == kept


def test_retention_keeps_raw_samples_the_rollups_have_not_taken_yet(
    session: Session,
) -> None:
    node = make_node(session)
    now = datetime.now(UTC)
    insert_rows(
        session,
        node.id,
        irregular_rows(now - timedelta(days=150), now - timedelta(days=100), 3),
    )
    count = text("SELECT count(*) FROM samples WHERE node_id = :n")
    stored = session.execute(count, {"n": node.id}).scalar_one()

    result = retention.apply(session, SYSTEM, samples_days=60, outbox_days=30)

    assert result.sample_chunks_dropped == 0
    assert session.execute(count, {"n": node.id}).scalar_one() == stored
