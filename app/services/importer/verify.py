"""The closing comparison of an import from Managair's database: source vs here.

Rows per table (Managair's rows against the rows here that came from them; the
catalogue by name, as ``--remap-ids`` may share it with rows made here) and
samples per node (count, first and last time, CO2 sum). The operator switches
over only when nothing differs; the command exits non-zero otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import String as SqlString
from sqlalchemy import Table, and_, cast, func, select
from sqlalchemy.orm import Session

from app.models import ImportedRow, NodeFidelity
from app.services.importer.ids import NATURAL
from app.services.importer.provenance import SOURCE
from app.services.importer.registry import REGISTRY
from app.services.importer.samples import NodeSummary, source_nodes, target_nodes
from app.services.importer.source import MODELS, table_counts

#: models with no table of their own here (merged into users)
MERGED = {"account.emailaddress": "merged into users"}


@dataclass(frozen=True)
class TableCount:
    """Rows of one Managair model there and here (None: not compared)."""

    label: str
    source: int
    target: int | None

    @property
    def matches(self) -> bool:
        """Whether every source row is here."""
        return self.target is None or self.source == self.target


@dataclass(frozen=True)
class NodeCount:
    """One node's samples there and here (None: no samples here)."""

    node: str
    source: NodeSummary
    target: NodeSummary | None

    @property
    def matches(self) -> bool:
        """Whether count, first, last time and CO2 sum agree."""
        return self.source == self.target


@dataclass(frozen=True)
class Verification:
    """The comparison, table by table and node by node."""

    tables: tuple[TableCount, ...]
    nodes: tuple[NodeCount, ...]

    @property
    def mismatches(self) -> tuple[TableCount | NodeCount, ...]:
        """What differs."""
        return tuple(t for t in self.tables if not t.matches) + tuple(
            n for n in self.nodes if not n.matches
        )

    @property
    def samples(self) -> tuple[int, int]:
        """All samples there and here."""
        return (
            sum(n.source.count for n in self.nodes),
            sum(n.target.count for n in self.nodes if n.target is not None),
        )


def verify(
    conn: psycopg.Connection, session: Session, nodes: Mapping[str, str]
) -> Verification:
    """Compare Managair's database (the import's snapshot) with what is here.

    Args:
        conn: the source connection, in the import's snapshot.
        session: a session on this database.
        nodes: Managair node id -> node id here.
    """
    tables = tuple(
        TableCount(label, count, _target_count(conn, session, label))
        for label, count in table_counts(conn).items()
    )
    here = target_nodes(session, nodes)
    compared = tuple(
        NodeCount(node, summary, here.get(node))
        for node, summary in sorted(source_nodes(conn).items())
    )
    return Verification(tables, compared)


def _target_count(conn: psycopg.Connection, session: Session, label: str) -> int | None:
    if label in MERGED or label not in REGISTRY:
        return None
    target = REGISTRY[label].target
    if target is not None and label in NATURAL:  # may be shared by name
        column = NATURAL[label]
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.Identifier(column), sql.Identifier(MODELS[label][0])
        )
        names = [row[0] for row in conn.execute(query)]
        matching = select(func.count()).where(target.c[column].in_(names))
        return int(session.scalar(matching) or 0)
    if target is None:  # fidelity: keyed by the imported node
        table: Table = NodeFidelity.__table__  # type: ignore[assignment]
        key, model, named = table.c.node_id, "core.node", "nodes"
    else:
        table = target
        key, model, named = table.c.id, label, table.name
    joined = table.join(
        ImportedRow,
        and_(
            ImportedRow.target_table == named,
            ImportedRow.target_id == cast(key, SqlString),
            ImportedRow.source == SOURCE,
            ImportedRow.model == model,
        ),
    )
    return int(session.scalar(select(func.count()).select_from(joined)) or 0)
