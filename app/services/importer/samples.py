"""Managair's samples, streamed: ``COPY ... TO STDOUT`` into ingest's staging table.

Samples are never records: a year of them is tens of millions of rows. Each
chunk (one node, consecutive days, at most :data:`CHUNK_ROWS` samples unless a
single day holds more) goes from the
source's ``COPY (SELECT ...) TO STDOUT`` straight, block by block, into the
batch-ingest staging table (``COPY ... FROM STDIN``) and from there into
``samples`` with ingest's one set-based insert, so memory stays flat and a
killed run loses at most the chunk it was in (the caller commits per chunk).

Which chunks to copy is decided by comparing, per node and UTC day, the count
and CO2 sum of the source with those stored here: a first run copies every day,
a delta run or a resumed run only the days that differ (new samples, a day a
kill cut short). Stored samples are never changed (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import ImportedRow
from app.services.importer.provenance import SOURCE
from app.services.ingest.credentials import IngestScope
from app.services.ingest.store import staging, store_staged

DAY_S = 86_400
#: large enough that the per-chunk cost (staging, insert, commit) is small
#: against the rows, small enough that a kill loses seconds of work
CHUNK_ROWS = 100_000
NODE_MODEL = "core.node"

_SOURCE_DAYS = """
SELECT node_id::text, timestamp_s / 86400, count(*), sum(co2_ppm)
FROM core_sample GROUP BY 1, 2
"""
_TARGET_DAYS = """
SELECT node_id::text, floor(extract(epoch FROM time) / 86400)::int,
       count(*), sum(co2_ppm)
FROM samples WHERE node_id = ANY(CAST(:nodes AS uuid[])) GROUP BY 1, 2
"""
_COPY = """
COPY (SELECT 0, {target}::uuid, NULL, timestamp_s, co2_ppm, temperature_celsius,
             rel_humidity_percent, measurement_status
      FROM core_sample
      WHERE node_id = {node} AND timestamp_s >= {start} AND timestamp_s < {end})
TO STDOUT
"""
_SOURCE_NODES = """
SELECT node_id::text, count(*), min(timestamp_s), max(timestamp_s), sum(co2_ppm)
FROM core_sample GROUP BY 1
"""
_TARGET_NODES = """
SELECT node_id::text, count(*), min(extract(epoch FROM time))::bigint,
       max(extract(epoch FROM time))::bigint, sum(co2_ppm)
FROM samples WHERE node_id = ANY(CAST(:nodes AS uuid[])) GROUP BY 1
"""

Day = tuple[int, int]  # count, sum of CO2


@dataclass(frozen=True)
class Chunk:
    """One node's samples of the days ``[first_day, last_day]`` (UTC day numbers)."""

    node: str
    target: str
    first_day: int
    last_day: int
    rows: int


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
    """The chunks whose days differ between Managair and here, in node order."""
    source: dict[str, dict[int, Day]] = defaultdict(dict)
    for node, day, count, co2 in conn.execute(_SOURCE_DAYS):
        source[node][day] = (count, co2)
    target: dict[str, dict[int, Day]] = defaultdict(dict)
    rows = session.execute(text(_TARGET_DAYS), {"nodes": list(nodes.values())})
    for node, day, count, co2 in rows:
        target[node][day] = (count, co2)
    chunks: list[Chunk] = []
    for node in sorted(source):
        if node not in nodes:
            continue  # not imported: the verification reports it
        here = target.get(nodes[node], {})
        days = sorted(d for d, v in source[node].items() if here.get(d) != v)
        chunks += _runs(node, nodes[node], days, source[node])
    return chunks


def copy_chunk(conn: psycopg.Connection, session: Session, chunk: Chunk) -> int:
    """Stream one chunk from Managair into ``samples``; returns how many were new."""
    query = sql.SQL(_COPY).format(
        target=sql.Literal(chunk.target),
        node=sql.Literal(uuid.UUID(chunk.node)),
        start=sql.Literal(chunk.first_day * DAY_S),
        end=sql.Literal((chunk.last_day + 1) * DAY_S),
    )
    with (
        staging(session) as writer,
        conn.cursor() as cursor,
        cursor.copy(query) as source,
    ):
        for block in source:
            writer.add_block(block)
    outcome = store_staged(session, IngestScope(), writer.stats, (), 0)
    return outcome.stored


def source_nodes(conn: psycopg.Connection) -> dict[str, NodeSummary]:
    """Samples per Managair node (the verification's source side)."""
    return {row[0]: NodeSummary(*row[1:]) for row in conn.execute(_SOURCE_NODES)}


def target_nodes(session: Session, nodes: Mapping[str, str]) -> dict[str, NodeSummary]:
    """Samples per imported node here, by the node's Managair id."""
    back = {target: source for source, target in nodes.items()}
    rows = session.execute(text(_TARGET_NODES), {"nodes": list(nodes.values())})
    return {back[row[0]]: NodeSummary(*row[1:]) for row in rows}


def _runs(
    node: str, target: str, days: list[int], counts: Mapping[int, Day]
) -> Iterator[Chunk]:
    """Consecutive days as chunks of at most ``CHUNK_ROWS`` samples (or one day)."""
    start, rows = 0, 0
    for index, day in enumerate(days):
        rows += counts[day][0]
        last = index + 1 == len(days)
        if (
            last
            or days[index + 1] != day + 1
            or rows + counts[days[index + 1]][0] > CHUNK_ROWS
        ):
            yield Chunk(node, target, days[start], day, rows)
            start, rows = index + 1, 0
