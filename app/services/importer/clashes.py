"""Natural keys an import would take from rows it did not write.

Ids can be remapped (``--remap-ids``), but a username, an e-mail address, an
organization's name or a node's EUI is what people and devices know a row by:
unique here, it cannot be given a new value behind their back. An imported
record whose key is held by another row here would fail half-way through the
load; :func:`key_clashes` finds every such record before anything is written,
so the refusal lists them all and the operator renames one side first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

from app.services.importer.registry import REGISTRY, Record

CHUNK = 5000


def _same(value: str) -> str:
    return value


@dataclass(frozen=True)
class NaturalKey:
    """A unique column here filled from a field of one Django model.

    ``fold`` normalises a value as the unique index compares it (``sql_fold``
    the same in SQL); empty values are not unique here and are skipped.
    """

    label: str
    field: str
    column: str
    fold: Callable[[str], str] = _same
    sql_fold: Callable[[ColumnElement[Any]], ColumnElement[Any]] = lambda c: c


KEYS = (
    NaturalKey("auth.user", "username", "username"),
    NaturalKey("auth.user", "email", "email", str.lower, func.lower),
    NaturalKey("core.organization", "name", "name"),
    NaturalKey("core.node", "eui64", "eui64", lambda v: v.strip().upper()),
)


@dataclass(frozen=True)
class Clash:
    """An imported record whose natural key a row here (not it) already has."""

    record: Record
    key: NaturalKey
    table: str
    holder: Any
    held: str

    def __str__(self) -> str:
        mine = self.record.fields.get(self.key.field)
        return (
            f"{self.record.model} pk {self.record.source_pk} ({self.record.source}):"
            f" {self.key.field} {mine!r} is taken by {self.table} id {self.holder}"
            f" ({self.key.column} {self.held!r})"
        )


def key_clashes(
    session: Session, by_model: Mapping[str, Sequence[Record]]
) -> list[Clash]:
    """Every record (with the id it gets here) whose natural key another row holds."""
    clashes: list[Clash] = []
    for key in KEYS:
        importer = REGISTRY.get(key.label)
        records = by_model.get(key.label, ())
        if importer is None or importer.target is None or not records:
            continue
        clashes += _clashes(session, importer.target, key, records)
    return clashes


def _clashes(
    session: Session, table: Table, key: NaturalKey, records: Sequence[Record]
) -> list[Clash]:
    wanted: dict[str, list[Record]] = {}
    for record in records:
        value = record.fields.get(key.field)
        if isinstance(value, str) and value.strip():
            wanted.setdefault(key.fold(value), []).append(record)
    column = table.c[key.column]
    folded = key.sql_fold(column)
    values = list(wanted)
    clashes = []
    for start in range(0, len(values), CHUNK):
        query = select(table.c.id, column, folded).where(
            folded.in_(values[start : start + CHUNK])
        )
        for held_id, held_value, held_key in session.execute(query):
            clashes += [
                Clash(record, key, table.name, held_id, held_value)
                for record in wanted[held_key]
                if str(record.pk) != str(held_id)
            ]
    return sorted(clashes, key=str)
