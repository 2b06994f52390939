"""One statement trigger per write on samples feeds both consumers' logs (Apache).

The series refresh reads ``samples_dirty`` (per node and day), the alert
evaluation ``alert_dirty`` (per node); both come from one pass over the
statement's transition table, so ingest pays for one trigger, not two.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import make_node
from tests.support.series import insert_rows, irregular_rows

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_one_trigger_per_event_logs_both_logs(session: Session) -> None:
    triggers = session.scalars(
        text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'samples'::regclass "
            "AND NOT tgisinternal AND tgname LIKE '%log%' ORDER BY tgname"
        )
    ).all()
    assert triggers == ["series_log_delete", "series_log_insert", "series_log_update"]

    a, b = make_node(session), make_node(session)
    end = T0 + timedelta(days=2)
    insert_rows(session, a.id, irregular_rows(T0, end, seed=4))
    insert_rows(session, b.id, irregular_rows(T0, T0 + timedelta(hours=3), seed=5))
    query = (
        "SELECT node_id, count(*), min(lo), max(hi) FROM {} "
        "WHERE node_id IN (:a, :b) GROUP BY node_id"
    )
    nodes = {"a": a.id, "b": b.id}
    series = {
        row[0]: row[1:]
        for row in session.execute(text(query.format("samples_dirty")), nodes)
    }
    alerts = {
        row[0]: row[1:]
        for row in session.execute(text(query.format("alert_dirty")), nodes)
    }

    assert {node: found[0] for node, found in series.items()} == {a.id: 2, b.id: 1}
    assert {node: found[0] for node, found in alerts.items()} == {a.id: 1, b.id: 1}
    assert {node: found[1:] for node, found in alerts.items()} == {
        node: found[1:] for node, found in series.items()
    }

    session.execute(
        text("UPDATE samples SET co2_ppm = 500 WHERE node_id = :b"), {"b": b.id}
    )
    count = "SELECT count(*) FROM alert_dirty WHERE node_id = :b"
    assert session.execute(text(count), {"b": b.id}).scalar_one() == 2
