"""Set-based storage of validated samples: COPY into a staging table, one INSERT.

Each transaction stages its rows in a temporary table (``COPY`` through the
psycopg connection under the session, so it is part of the same transaction), then
moves them into the hypertable with one statement:

* fast path: a plain ``INSERT ... SELECT`` inside a savepoint, joined to the nodes
  the caller may post for. Almost every batch is new data, and a plain insert is as
  cheap as ``COPY`` into the hypertable;
* when a key already exists (a retry, a duplicate inside the batch, or a concurrent
  batch holding the same keys: the unique index makes it wait for that one to
  finish), the savepoint is rolled back and the rows are inserted in key order with
  ``ON CONFLICT (node_id, time) DO NOTHING``. Key order makes concurrent batches
  lock in the same order (no deadlocks) and lets the first of two rows with one key
  win; what was not stored is then classified (``classify``) as conflicting
  (different values), duplicate (identical) or rejected (unknown node, or not the
  caller's).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import UnavailableError
from app.services.ingest import classify, driver
from app.services.ingest.classify import Conflict, NodeProblem
from app.services.ingest.credentials import IngestScope
from app.services.outbox.enqueue import enqueue_stored

STAGING = "ingest_staging"
STORED = "ingest_stored"
COLUMNS = (
    "row_no",
    "node_id",
    "eui64",
    "ts",
    "co2_ppm",
    "temperature_celsius",
    "rel_humidity_percent",
    "measurement_status",
)
NULL = "\\N"
CHUNK_BYTES = 128 * 1024

_CREATE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
    row_no integer NOT NULL,
    node_id uuid,
    eui64 text,
    ts bigint NOT NULL,
    co2_ppm smallint NOT NULL,
    temperature_celsius numeric(3, 1),
    rel_humidity_percent smallint,
    measurement_status text NOT NULL
) ON COMMIT DELETE ROWS
"""
_CREATE_STORED = """
CREATE TEMP TABLE IF NOT EXISTS ingest_stored (
    node_id uuid NOT NULL,
    time timestamptz NOT NULL
) ON COMMIT DELETE ROWS
"""
_COPY = f"COPY {STAGING} ({', '.join(COLUMNS)}) FROM STDIN"
_RESOLVE_EUI = """
UPDATE ingest_staging AS s SET node_id = n.id
FROM nodes AS n
WHERE s.node_id IS NULL AND n.eui64 = s.eui64
"""
_SCOPE = {False: "", True: " AND n.owner_id = :org"}
_INSERT = """
INSERT INTO samples (node_id, time, co2_ppm, temperature_celsius,
                     rel_humidity_percent, measurement_status)
SELECT s.node_id, to_timestamp(s.ts), s.co2_ppm, s.temperature_celsius,
       s.rel_humidity_percent, s.measurement_status
FROM ingest_staging AS s JOIN nodes AS n ON n.id = s.node_id{scope}
"""
_ORDERED = " ORDER BY s.node_id, s.ts, s.row_no ON CONFLICT (node_id, time) DO NOTHING"
_KEEP_KEYS = "WITH ins AS ({insert} RETURNING node_id, time) INSERT INTO ingest_stored SELECT node_id, time FROM ins"


@dataclass(frozen=True)
class StoreOutcome:
    """What became of the staged rows."""

    stored: int
    duplicate: int
    conflicting: int
    node_problems: int
    listed_node_problems: tuple[NodeProblem, ...] = ()
    listed_conflicts: tuple[Conflict, ...] = ()


@dataclass
class StagingStats:
    """What the writer staged: row count, whether EUIs need resolving."""

    rows: int = 0
    by_eui: bool = False


class StagingWriter:
    """Buffers staging lines and hands them to ``COPY`` in chunks."""

    def __init__(self, copy: psycopg.Copy) -> None:
        self._copy = copy
        self._lines: list[str] = []
        self._size = 0
        self.stats = StagingStats()

    def add(self, line: str, by_eui: bool = False) -> None:
        """Stage one tab-separated line (see ``COLUMNS``)."""
        self._lines.append(line)
        self._size += len(line)
        self.stats.rows += 1
        if by_eui:
            self.stats.by_eui = True
        if self._size >= CHUNK_BYTES:
            self.flush()

    def add_block(self, block: bytes | bytearray | memoryview) -> None:
        """Stage a block of whole ``COPY`` text lines as it is (e.g. another
        server's ``COPY ... TO STDOUT``), without parsing it in Python."""
        self.flush()
        self._copy.write(block)
        self.stats.rows += bytes(block).count(b"\n")

    def flush(self) -> None:
        """Send the buffered lines."""
        if self._lines:
            self._copy.write("".join(self._lines))
            self._lines.clear()
            self._size = 0


def prepare(session: Session) -> None:
    """Make sure this connection's staging tables exist and are empty."""
    session.execute(text(_CREATE_STAGING))
    session.execute(text(_CREATE_STORED))
    session.execute(text(f"DELETE FROM {STAGING}"))  # noqa: S608 - constant name  # sql-identifiers: vetted (constant names)


@contextmanager
def staging(session: Session) -> Iterator[StagingWriter]:
    """Open ``COPY`` into the staging table on the session's own connection.

    Raises:
        UnavailableError: the database connection failed during the copy.
    """
    prepare(session)
    conn = driver.connection(session)
    try:
        with conn.cursor() as cursor, cursor.copy(_COPY) as copy:
            writer = StagingWriter(copy)
            yield writer
            writer.flush()
    except psycopg.OperationalError as exc:
        raise UnavailableError("The database connection failed during ingest.") from exc


def store_staged(
    session: Session,
    scope: IngestScope,
    stats: StagingStats,
    publishers: Sequence[str],
    listed: int,
) -> StoreOutcome:
    """Move the staged rows into ``samples`` and account for every one of them.

    Args:
        session: the ingest transaction.
        scope: the nodes the caller may post for.
        stats: what was staged.
        publishers: enabled publishers; stored public samples are queued for them.
        listed: how many problems of each kind to list (all are counted).

    Returns:
        The counts, with the first ``listed`` problems of each kind.
    """
    if stats.rows == 0:
        return StoreOutcome(0, 0, 0, 0)
    params: dict[str, Any] = {"org": scope.organization_id, "listed": listed}
    scoped = scope.organization_id is not None
    if stats.by_eui:
        session.execute(text(_RESOLVE_EUI))
    insert = _INSERT.format(scope=_SCOPE[scoped])
    try:
        with session.begin_nested():
            stored = _insert(session, insert, params, publishers)
        ordered = False
    except (sa_exc.IntegrityError, sa_exc.OperationalError) as exc:
        if not isinstance(
            exc.orig, pg_errors.UniqueViolation | pg_errors.DeadlockDetected
        ):
            raise
        stored = _insert(session, insert + _ORDERED, params, publishers)
        ordered = True
    if stored == stats.rows:
        return StoreOutcome(stored, 0, 0, 0)
    problems, bad = classify.node_problems(session, scoped, params)
    conflicts: tuple[Conflict, ...] = ()
    conflicting = 0
    if ordered:
        conflicts, conflicting = classify.conflicts(session, scoped, params)
    duplicate = stats.rows - stored - bad - conflicting
    return StoreOutcome(stored, duplicate, conflicting, bad, problems, conflicts)


def _insert(
    session: Session, insert: str, params: dict[str, Any], publishers: Sequence[str]
) -> int:
    if not publishers:
        return _rowcount(session.execute(text(insert), params))
    keep_keys = text(_KEEP_KEYS.format(insert=insert))  # sql-identifiers: vetted
    stored = _rowcount(session.execute(keep_keys, params))
    enqueue_stored(session, STORED, publishers)
    session.execute(text(f"DELETE FROM {STORED}"))  # noqa: S608 - constant name  # sql-identifiers: vetted (constant names)
    return stored


def enqueue_keys(
    session: Session, keys: Sequence[tuple[Any, Any]], publishers: Sequence[str]
) -> None:
    """Queue individually stored ``(node_id, time)`` keys for the publishers."""
    if not publishers or not keys:
        return
    session.execute(text(_CREATE_STORED))
    session.execute(
        text("INSERT INTO ingest_stored (node_id, time) VALUES (:node_id, :time)"),
        [{"node_id": node_id, "time": time} for node_id, time in keys],
    )
    enqueue_stored(session, STORED, publishers)
    session.execute(text(f"DELETE FROM {STORED}"))  # noqa: S608 - constant name  # sql-identifiers: vetted (constant names)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
