"""The per-model registry of the Managair importer and the helpers loaders share.

A loader takes every record of one Django model (from all files of a run) and
writes them, keeping primary keys. Register one per model label::

    @register("core.site", order=310, tables=(Site.__table__,))
    def load_sites(session: Session, records: Sequence[Record]) -> LoadResult:
        rows = [{"id": r.pk, "name": r.field("name"), ...} for r in records]
        return LoadResult.of(upsert_rows(session, Site.__table__, rows))

Orders: tenancy 100-199 (users 100, e-mail addresses 110, organizations 120,
memberships 130), device catalogue 200-299, inventory 300-399, samples 900.
The identity sequences of ``tables`` are moved past the imported ids at the end
(not in a dry run: ``setval`` is not rolled back).
``target`` (the table whose ids are the records' pks) and ``refs`` (field ->
label of the model it points to) let :mod:`.provenance` refuse an import that
would change or attach to rows it did not write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Table,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

CHUNK_ROWS = 1000


class FixtureImportError(Exception):
    """The fixtures cannot be imported; the message says which record and why."""


@dataclass(frozen=True)
class Record:
    """One object of a Django fixture file (or a row of Managair's database).

    ``origin`` is the source's pk when the record was given another id here
    (:mod:`.ids`); provenance remembers the source's.
    """

    model: str
    pk: Any
    fields: Mapping[str, Any]
    source: str
    origin: Any = None

    @property
    def source_pk(self) -> Any:
        """The record's pk in the source system."""
        return self.pk if self.origin is None else self.origin

    def field(self, name: str) -> Any:
        """Return a field's value.

        Raises:
            FixtureImportError: the record has no such field.
        """
        try:
            return self.fields[name]
        except KeyError:
            raise FixtureImportError(f"{self}: field {name!r} is missing.") from None

    def __str__(self) -> str:
        return f"{self.model} pk {self.pk} ({self.source})"


#: how many conflicting rows a report names
SHOWN_CONFLICTS = 5


@dataclass(frozen=True)
class UpsertCounts:
    """How many rows an upsert created, changed and found unchanged.

    ``conflicting``: rows stored here that differ from their records but were
    kept as stored (samples: one may have come from live ingest, and an import
    never overwrites a sample); ``conflicts`` names the first
    :data:`SHOWN_CONFLICTS` of them.
    """

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicting: int = 0
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadResult:
    """What a loader did with the records of its model."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    notes: tuple[str, ...] = ()
    conflicting: int = 0
    conflicts: tuple[str, ...] = ()

    @classmethod
    def of(cls, counts: UpsertCounts, notes: Iterable[str] = ()) -> LoadResult:
        """Return the result of one upsert with optional notes."""
        return cls(
            counts.created,
            counts.changed,
            counts.unchanged,
            tuple(notes),
            counts.conflicting,
            counts.conflicts,
        )


Loader = Callable[[Session, Sequence[Record]], LoadResult]


@dataclass(frozen=True)
class ModelImporter:
    """How to import one Django model."""

    label: str
    order: int
    load: Loader
    tables: tuple[Table, ...] = field(default=())
    target: Table | None = None
    refs: Mapping[str, str] = field(default_factory=dict)
    #: what a dry run calls instead of ``load``: the same result, written without
    #: consuming sequences (default: ``load``, whose writes are rolled back)
    preview: Loader | None = None


REGISTRY: dict[str, ModelImporter] = {}

#: Django models that have no counterpart here, and why they are skipped.
IGNORED: dict[str, str] = {
    "auth.permission": "Django permissions are not used",
    "auth.group": "Django groups are not used",
    "contenttypes.contenttype": "Django internals",
    "sessions.session": "sessions end with the move",
    "admin.logentry": "Django admin history is not kept",
    "authtoken.token": "API keys are not carried over; users log in again",
    "sites.site": "the site name is configuration here",
    "account.emailconfirmation": "pending confirmations are not carried over",
}


def register(
    label: str,
    order: int,
    tables: Iterable[Table] = (),
    *,
    target: Table | None = None,
    refs: Mapping[str, str] | None = None,
    preview: Loader | None = None,
) -> Callable[[Loader], Loader]:
    """Register ``load`` as the importer of Django model ``label``.

    Raises:
        ValueError: ``label`` has an importer already.
    """

    def decorate(load: Loader) -> Loader:
        if label in REGISTRY:
            raise ValueError(f"{label} has an importer already")
        REGISTRY[label] = ModelImporter(
            label, order, load, tuple(tables), target, dict(refs or {}), preview
        )
        return load

    return decorate


def table_of(model: type) -> Table:
    """The table of a mapped model class (typed, for the loaders' constants)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def upsert_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str] = ("id",),
    also_set: Callable[[Any], Mapping[str, Any]] | None = None,
) -> UpsertCounts:
    """Insert rows, or update the rows with the same ``key`` where a value differs.

    Args:
        session: the session of the import.
        table: the target table.
        rows: column values by name; every row has the same columns.
        key: the columns that identify a row (the primary key by default).
        also_set: given the statement's ``excluded`` row, further update
            expressions for columns that are not in ``rows``.

    Returns:
        How many rows were created, changed and left unchanged.
    """
    created = changed = 0
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        stmt = insert(table).values(list(chunk))
        columns = [c for c in chunk[0] if c not in key]
        updates: dict[str, Any] = {c: stmt.excluded[c] for c in columns}
        if also_set is not None:
            updates.update(also_set(stmt.excluded))
        differs: list[ColumnElement[bool]] = [
            table.c[c].is_distinct_from(stmt.excluded[c]) for c in columns
        ]
        upsert: ReturningInsert[bool] = stmt.on_conflict_do_update(
            index_elements=list(key), set_=updates, where=or_(*differs)
        ).returning(literal_column("(xmax = 0)", Boolean))
        flags = list(session.scalars(upsert))
        created += sum(1 for inserted in flags if inserted)
        changed += sum(1 for inserted in flags if not inserted)
    return UpsertCounts(created, changed, len(rows) - created - changed)


def reset_identity(session: Session, table: Table) -> None:
    """Move ``table``'s id sequence past its largest id (never backwards)."""
    sequence = func.pg_get_serial_sequence(table.name, "id")
    largest = func.greatest(
        func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0),
        func.coalesce(func.pg_sequence_last_value(sequence), 0),
    )
    session.execute(select(func.setval(sequence, largest + 1, False)))


def require_present(
    session: Session, table: Table, ids: Iterable[Any], records_of: Mapping[Any, Record]
) -> None:
    """Check that rows with ``ids`` exist in ``table``.

    Args:
        session: the session of the import.
        table: the referenced table.
        ids: the referenced ids.
        records_of: for each referenced id, a record that refers to it.

    Raises:
        FixtureImportError: an id is missing; names the first record referring to it.
    """
    wanted = set(ids)
    found = set(session.scalars(select(table.c.id).where(table.c.id.in_(wanted))))
    missing = sorted(wanted - found)
    if missing:
        record = records_of[missing[0]]
        raise FixtureImportError(
            f"{record}: refers to {table.name} id {missing[0]}, which does not "
            "exist; import the fixture that holds it in the same run or first."
        )
