"""What became of staged rows that were not stored: bad nodes, conflicts.

Runs after the ``ON CONFLICT DO NOTHING`` insert of ``store``, only when some rows
were left out. Rows are classified set-wise; the first ``:listed`` of each kind are
returned with their row numbers and the totals counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_SCOPE = {False: "", True: " AND n.owner_id = :org"}
_CREATE_EXISTING = """
CREATE TEMP TABLE IF NOT EXISTS ingest_existing (
    node_id uuid NOT NULL,
    time timestamptz NOT NULL,
    co2_ppm smallint NOT NULL,
    temperature_celsius numeric(3, 1),
    rel_humidity_percent smallint,
    measurement_status text NOT NULL
) ON COMMIT DELETE ROWS
"""
_BAD_NODES = """
SELECT s.row_no, s.eui64 IS NOT NULL AS by_eui, n.id IS NOT NULL AS node_exists,
       count(*) OVER () AS total
FROM ingest_staging AS s LEFT JOIN nodes AS n ON n.id = s.node_id
WHERE n.id IS NULL{scope}
ORDER BY s.row_no
LIMIT :listed
"""
_OUT_OF_SCOPE = " OR n.owner_id <> :org"
_COLLECT_EXISTING = """
INSERT INTO ingest_existing
SELECT x.node_id, x.time, x.co2_ppm, x.temperature_celsius, x.rel_humidity_percent,
       x.measurement_status
FROM (
    SELECT node_id, min(ts) AS first_s, max(ts) AS last_s
    FROM ingest_staging
    WHERE node_id IS NOT NULL
    GROUP BY node_id
) AS r
JOIN samples AS x
  ON x.node_id = r.node_id
 AND x.time BETWEEN to_timestamp(r.first_s) AND to_timestamp(r.last_s)
"""
_CONFLICTS = """
SELECT s.row_no,
       array_remove(ARRAY[
           CASE WHEN t.co2_ppm IS DISTINCT FROM s.co2_ppm THEN 'co2_ppm' END,
           CASE WHEN t.temperature_celsius IS DISTINCT FROM s.temperature_celsius
                THEN 'temperature_celsius' END,
           CASE WHEN t.rel_humidity_percent IS DISTINCT FROM s.rel_humidity_percent
                THEN 'rel_humidity_percent' END,
           CASE WHEN t.measurement_status IS DISTINCT FROM s.measurement_status
                THEN 'measurement_status' END
       ], NULL) AS fields,
       count(*) OVER () AS total
FROM ingest_staging AS s
JOIN nodes AS n ON n.id = s.node_id{scope}
JOIN ingest_existing AS t ON t.node_id = s.node_id AND t.time = to_timestamp(s.ts)
WHERE (t.co2_ppm, t.temperature_celsius, t.rel_humidity_percent, t.measurement_status)
      IS DISTINCT FROM
      (s.co2_ppm, s.temperature_celsius, s.rel_humidity_percent, s.measurement_status)
ORDER BY s.row_no
LIMIT :listed
"""
# Plans for the classification, which runs on tables without statistics (the
# temporary ones, and chunks filled earlier in this transaction): first one
# index range scan per staged node, then one hash join over both sets. Left to
# itself the planner may pick nested loops over sequential scans: seconds
# instead of milliseconds.
_PLAN_EXISTING = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
_PLAN_CONFLICTS = ("enable_nestloop",)


@dataclass(frozen=True)
class NodeProblem:
    """A staged row whose node is unknown or not the caller's."""

    row: int
    field: str
    exists: bool


@dataclass(frozen=True)
class Conflict:
    """A staged row whose key is stored with other values."""

    row: int
    fields: tuple[str, ...]


def node_problems(
    session: Session, scoped: bool, params: dict[str, Any]
) -> tuple[tuple[NodeProblem, ...], int]:
    """Return the first ``:listed`` staged rows with a bad node, and how many."""
    sql = _BAD_NODES.format(scope=_OUT_OF_SCOPE if scoped else "")
    rows = session.execute(text(sql), params).all()
    listed = tuple(
        NodeProblem(r.row_no, "eui64" if r.by_eui else "node_id", r.node_exists)
        for r in rows
    )
    return listed, int(rows[0].total) if rows else 0


def conflicts(
    session: Session, scoped: bool, params: dict[str, Any]
) -> tuple[tuple[Conflict, ...], int]:
    """Return the first ``:listed`` staged rows stored with other values, and how many."""
    session.execute(text(_CREATE_EXISTING))
    session.execute(text("DELETE FROM ingest_existing"))
    with _planner(session, _PLAN_EXISTING):
        session.execute(text(_COLLECT_EXISTING))
    with _planner(session, _PLAN_CONFLICTS):
        sql = _CONFLICTS.format(scope=_SCOPE[scoped])
        rows = session.execute(text(sql), params).all()
    listed = tuple(Conflict(r.row_no, tuple(r.fields)) for r in rows)
    return listed, int(rows[0].total) if rows else 0


@contextmanager
def _planner(session: Session, disabled: Sequence[str]) -> Iterator[None]:
    for setting in disabled:
        session.execute(text(f"SET LOCAL {setting} = off"))  # sql-identifiers: vetted
    try:
        yield
    finally:
        for setting in disabled:
            session.execute(text(f"RESET {setting}"))  # sql-identifiers: vetted
