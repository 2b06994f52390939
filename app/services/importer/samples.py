"""Managair's samples, streamed: binary ``COPY ... TO STDOUT`` into ``samples``.

Samples are never records: a year of them is tens of millions of rows. Each
chunk (one node, consecutive days, at most :data:`CHUNK_ROWS` samples unless a
single day holds more) goes from the source's ``COPY (SELECT ...) TO STDOUT
(FORMAT binary)`` block by block, unparsed, into ``COPY samples FROM STDIN
(FORMAT binary)``: binary rows cost both servers half the work of text ones, and
a reader thread (:mod:`.stream`) keeps the source busy while ours stores. Memory
stays flat, and a killed run loses at most the chunk it was in (the caller
commits per chunk).

Which chunks to copy is decided by comparing, per node and UTC day, a
fingerprint (count and the sums of CO2, temperature, humidity and second of the
day) of the source with the samples stored here: a first run copies every day,
a delta or resumed run only the days that differ (new, deleted or edited
samples, a day a kill cut short). A differing day is replaced whole: its
samples here are deleted and copied again in the chunk's transaction, so the
range is empty and ``COPY`` straight into ``samples`` cannot meet a duplicate.
Only the source's own samples are deleted: an imported node's samples up to its
last sample in Managair; later ones were stored here and are kept.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, replace

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import ImportedRow
from app.services.importer.provenance import SOURCE
from app.services.importer.registry import FixtureImportError
from app.services.importer.stream import read_ahead
from app.services.ingest import driver

DAY_S = 86_400
#: large enough that the per-chunk cost (delete, commit) is small against the
#: rows, small enough that a kill loses seconds of work
CHUNK_ROWS = 100_000
NODE_MODEL = "core.node"

_SOURCE_DAYS = """
SELECT node_id::text, timestamp_s / 86400, max(timestamp_s), count(*), sum(co2_ppm),
       sum(temperature_celsius), sum(rel_humidity_percent), sum(timestamp_s % 86400)
FROM core_sample GROUP BY 1, 2
"""
_TARGET_DAYS = """
SELECT node_id::text, floor(extract(epoch FROM time) / 86400)::int, count(*),
       sum(co2_ppm), sum(temperature_celsius), sum(rel_humidity_percent),
       sum(extract(epoch FROM time)::bigint % 86400)
FROM samples WHERE node_id = ANY(CAST(:nodes AS uuid[])) GROUP BY 1, 2
"""
#: newest first, the order of the index on (node_id, time DESC): each row lands
#: at the right edge of a node's index entries
_COPY_OUT = """
COPY (SELECT {target}::uuid, to_timestamp(timestamp_s), co2_ppm,
             temperature_celsius, rel_humidity_percent, measurement_status::text
      FROM core_sample
      WHERE node_id = {node} AND timestamp_s >= {start} AND timestamp_s < {end}
      ORDER BY timestamp_s DESC)
TO STDOUT (FORMAT binary)
"""
_COPY_IN = """
COPY samples (node_id, time, co2_ppm, temperature_celsius, rel_humidity_percent,
              measurement_status) FROM STDIN (FORMAT binary)
"""
_CLEAR = """
DELETE FROM samples WHERE node_id = CAST(:node AS uuid)
AND time >= to_timestamp(:start) AND time < to_timestamp(:end)
AND time <= to_timestamp(:last)
"""
#: a chunk's commit need not wait for the disk: one lost in a crash differs from
#: Managair and the next run copies it again
_NO_FLUSH_WAIT = "SET LOCAL synchronous_commit = off"
_SOURCE_NODES = """
SELECT node_id::text, count(*), min(timestamp_s), max(timestamp_s), sum(co2_ppm)
FROM core_sample GROUP BY 1
"""
_TARGET_NODES = """
SELECT node_id::text, count(*), min(extract(epoch FROM time))::bigint,
       max(extract(epoch FROM time))::bigint, sum(co2_ppm)
FROM samples WHERE node_id = ANY(CAST(:nodes AS uuid[])) GROUP BY 1
"""

#: count, sums of CO2, temperature, humidity and second of the day
Day = tuple[object, ...]


@dataclass(frozen=True)
class Chunk:
    """One node's samples of the days ``[first_day, last_day]`` (UTC day numbers).

    ``clear``: samples of these days are stored here and are deleted first, up
    to ``last`` (the node's last sample in Managair, epoch s).
    """

    node: str
    target: str
    first_day: int
    last_day: int
    rows: int
    clear: bool = False
    last: int = 0


@dataclass(frozen=True)
class Copied:
    """What copying chunks did: samples stored, and stored ones deleted first."""

    stored: int = 0
    replaced: int = 0

    def __add__(self, other: Copied) -> Copied:
        return Copied(self.stored + other.stored, self.replaced + other.replaced)


@dataclass(frozen=True)
class NodeSummary:
    """Samples of one node: count, first and last time (epoch s), CO2 sum."""

    count: int
    first: int
    last: int
    co2_sum: int


def node_ids(session: Session) -> dict[str, str]:
    """Managair node id -> the id its node has here, for every imported node."""
    rows = session.execute(
        select(ImportedRow.source_id, ImportedRow.target_id).where(
            ImportedRow.source == SOURCE, ImportedRow.model == NODE_MODEL
        )
    )
    return {source: target for source, target in rows}


def plan(
    conn: psycopg.Connection, session: Session, nodes: Mapping[str, str]
) -> list[Chunk]:
    """The chunks whose days differ between Managair and here, in node order.

    A day differs when its fingerprints differ, or when only this database has
    samples of it at or before the node's last sample in Managair (deleted there).
    """
    source: dict[str, dict[int, Day]] = defaultdict(dict)
    last: dict[str, int] = {}
    for node, day, newest, *figures in conn.execute(_SOURCE_DAYS):
        source[node][day] = tuple(figures)
        last[node] = max(newest, last.get(node, newest))
    target: dict[str, dict[int, Day]] = defaultdict(dict)
    rows = session.execute(text(_TARGET_DAYS), {"nodes": list(nodes.values())})
    for node, day, *figures in rows:
        target[node][day] = tuple(figures)
    chunks: list[Chunk] = []
    for node in sorted(source):
        if node not in nodes:
            continue  # not imported: the verification reports it
        there, here = source[node], target.get(nodes[node], {})
        days = sorted(
            {d for d, v in there.items() if here.get(d) != v}
            | {d for d in here if d not in there and d <= last[node] // DAY_S}
        )
        chunks += _runs(
            Chunk(node, nodes[node], 0, 0, 0, last=last[node]), days, there, here
        )
    return chunks


def copy_chunks(
    conn: psycopg.Connection, session: Session, chunks: list[Chunk]
) -> Generator[tuple[Chunk, Copied]]:
    """Copy each chunk in the session's transaction, yielding after each one.

    The caller commits after each chunk (the session begins a new transaction).

    Raises:
        FixtureImportError: a sample of a chunk's days was stored here meanwhile.
    """
    with read_ahead(conn, chunks, _copy_out) as stream:
        for chunk, blocks in stream:
            session.execute(text(_NO_FLUSH_WAIT))
            replaced = _clear(session, chunk) if chunk.clear else 0
            target = driver.connection(session)
            try:
                with target.cursor() as cursor:
                    with cursor.copy(_COPY_IN) as copy:
                        for block in blocks:
                            copy.write(block)
                    stored = cursor.rowcount
            except pg_errors.UniqueViolation:
                raise FixtureImportError(
                    f"samples of node {chunk.target} were stored here during the "
                    "import; run it again to copy the days that differ."
                ) from None
            yield chunk, Copied(stored, replaced)


def copy_chunk(conn: psycopg.Connection, session: Session, chunk: Chunk) -> Copied:
    """Copy one chunk in the session's transaction (the caller commits)."""
    done = Copied()
    for _, copied in copy_chunks(conn, session, [chunk]):
        done += copied
    return done


def _copy_out(chunk: Chunk) -> sql.Composed:
    return sql.SQL(_COPY_OUT).format(
        target=sql.Literal(chunk.target),
        node=sql.Literal(uuid.UUID(chunk.node)),
        start=sql.Literal(chunk.first_day * DAY_S),
        end=sql.Literal((chunk.last_day + 1) * DAY_S),
    )


def _clear(session: Session, chunk: Chunk) -> int:
    result = session.execute(
        text(_CLEAR),
        {
            "node": chunk.target,
            "start": chunk.first_day * DAY_S,
            "end": (chunk.last_day + 1) * DAY_S,
            "last": chunk.last,
        },
    )
    return int(getattr(result, "rowcount", 0) or 0)


def source_nodes(conn: psycopg.Connection) -> dict[str, NodeSummary]:
    """Samples per Managair node (the verification's source side)."""
    return {row[0]: NodeSummary(*row[1:]) for row in conn.execute(_SOURCE_NODES)}


def target_nodes(session: Session, nodes: Mapping[str, str]) -> dict[str, NodeSummary]:
    """Samples per imported node here, by the node's Managair id."""
    back = {target: source for source, target in nodes.items()}
    rows = session.execute(text(_TARGET_NODES), {"nodes": list(nodes.values())})
    return {back[row[0]]: NodeSummary(*row[1:]) for row in rows}


def _rows(days: Mapping[int, Day], day: int) -> int:
    """Managair's samples of ``day`` (none: deleted there, only cleared here)."""
    return int(days[day][0]) if day in days else 0  # type: ignore[call-overload]


def _runs(
    node: Chunk, days: list[int], there: Mapping[int, Day], here: Mapping[int, Day]
) -> Iterator[Chunk]:
    """Consecutive days of ``node`` as chunks of at most ``CHUNK_ROWS`` samples
    (or one day); a chunk clears its days first if any of them is stored here."""
    start, rows = 0, 0
    for index, day in enumerate(days):
        rows += _rows(there, day)
        end = index + 1 == len(days)
        if (
            end
            or days[index + 1] != day + 1
            or rows + _rows(there, days[index + 1]) > CHUNK_ROWS
        ):
            clear = any(d in here for d in days[start : index + 1])
            yield replace(
                node, first_day=days[start], last_day=day, rows=rows, clear=clear
            )
            start, rows = index + 1, 0
