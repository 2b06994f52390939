"""``/metrics`` shows what the jobs process has left to do, so a missing one is seen.

Without a running jobs process the write logs only grow and the rollups and alerts
stand still; the gauges read the logs' rows and each job's last start from the
database at scrape time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import make_node
from tests.support.series import insert_rows, irregular_rows

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _gauges(client: FlaskClient, name: str) -> dict[str, float]:
    body = client.get("/metrics").get_data(as_text=True)
    return {
        next(iter(sample.labels.values())): sample.value
        for family in text_string_to_metric_families(body)
        if family.name == name
        for sample in family.samples
    }


def _rows(session: Session, log: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {log}")).scalar_one())  # noqa: S608  # sql-identifiers: vetted (test constants)


def test_write_log_rows_are_the_rows_waiting_in_each_log(
    client: FlaskClient, session: Session
) -> None:
    before = _gauges(client, "airq_write_log_rows")
    node = make_node(session)
    insert_rows(session, node.id, irregular_rows(T0, T0 + timedelta(days=3), seed=7))

    after = _gauges(client, "airq_write_log_rows")

    for log in ("samples_dirty", "alert_dirty"):
        assert after[log] == _rows(session, log)
        assert after[log] > before[log]


def test_each_jobs_last_start_is_a_timestamp(
    client: FlaskClient, session: Session
) -> None:
    started = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    session.execute(
        text(
            "INSERT INTO job_runs (job_id, last_started_at) VALUES ('test-job', :at) "
            "ON CONFLICT (job_id) DO UPDATE SET last_started_at = EXCLUDED.last_started_at"
        ),
        {"at": started},
    )

    gauges = _gauges(client, "airq_job_last_started_timestamp_seconds")

    assert gauges["test-job"] == started.timestamp()
