"""Which rows an import wrote, and the refusal to touch any other row.

The importer keeps Managair's ids, so an id it imports may already be taken in
this database: by the row an earlier run of the same import wrote (updated
again, as re-running is how a move is finished), or by a row made here, e.g. by
``flask demo load`` (never to be overwritten: that turned the demo user olivia
into Managair's tomTester, owner of olivia's organizations). Every row an
import writes is remembered in ``imported_rows``; before anything is written,
:func:`check_conflicts` refuses the run when an imported id, or a row a record
refers to (a membership's user, a sample's node), is held by a row that is not
remembered there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.models import ImportedRow
from app.services.importer.clashes import Clash, key_clashes
from app.services.importer.registry import (
    REGISTRY,
    FixtureImportError,
    ModelImporter,
    Record,
)

SOURCE = "managair"
#: how many conflicts the refusal names
SHOWN = 5
#: columns that name a row in a conflict message, the first one a table has wins
NAME_COLUMNS = ("username", "name", "alias", "quantity", "identifier", "street1")
CHUNK = 5000


@dataclass(frozen=True)
class Conflict:
    """An imported record whose id, or a row it refers to, is not the import's."""

    record: str
    holder: str
    refers: bool

    def __str__(self) -> str:
        verb = "refers to" if self.refers else "would overwrite"
        return f"{self.record} {verb} {self.holder}"


class ImportConflictError(FixtureImportError):
    """Rows that did not come from the import hold ids the import needs."""

    def __init__(
        self, conflicts: Sequence[Conflict], clashes: Sequence[Clash] = ()
    ) -> None:
        self.conflicts = tuple(conflicts)
        self.clashes = tuple(clashes)
        parts = []
        if conflicts:
            shown = "".join(f"\n  {c}" for c in conflicts[:SHOWN])
            more = len(conflicts) - SHOWN
            parts.append(
                f"{_count(len(conflicts), 'conflict')} with rows that did not come "
                "from a "
                "Managair import (an import never changes rows it did not write; "
                "give the imported rows new ids with --remap-ids, or import into a "
                f"database without them):{shown}"
                + (f"\n  and {more} more." if more > 0 else "")
            )
        if clashes:
            listed = "".join(f"\n  {c}" for c in clashes)
            what = _count(
                len(clashes),
                "username, e-mail address, organization name or EUI is",
                "usernames, e-mail addresses, organization names or EUIs are",
            )
            parts.append(
                f"{what} taken by rows here (they stay unique and are never "
                "remapped: rename or delete one of the two, here or in Managair, "
                f"and run the import again):{listed}"
            )
        super().__init__("\n".join(parts))


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 conflict``, ``2 conflicts``: the refusal reads as English at any count."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def check_conflicts(
    session: Session,
    by_model: Mapping[str, Sequence[Record]],
    shared: Mapping[str, Set[Any]] | None = None,
) -> None:
    """Refuse the run if it would change or attach to rows it did not write, or
    take a natural key (username, e-mail, organization name, EUI) another row has.

    ``shared`` (by model) are ids of rows here that records may refer to:
    catalogue rows ``--remap-ids`` matched by name.

    Raises:
        ImportConflictError: names the first conflicts; nothing was written.
    """
    conflicts: list[Conflict] = []
    present = [REGISTRY[label] for label in by_model if label in REGISTRY]
    for importer in sorted(present, key=lambda i: i.order):  # users come first
        records = by_model[importer.label]
        if importer.target is not None:
            wanted = {id_key(importer.target, r.pk): r for r in records}
            conflicts += _foreign(session, importer.target, wanted, refers=False)
        for name, other in importer.refs.items():
            allowed = (shared or {}).get(other, set())
            conflicts += _foreign_refs(session, by_model, records, name, other, allowed)
    clashes = key_clashes(session, by_model)
    if conflicts or clashes:
        raise ImportConflictError(conflicts, clashes)


def remember(
    session: Session, importer: ModelImporter, records: Iterable[Record]
) -> None:
    """Record that the import wrote the rows of ``records`` (kept on re-runs)."""
    if importer.target is None:
        return
    table = importer.target
    rows = [
        {
            "target_table": table.name,
            "target_id": str(key),
            "source": SOURCE,
            "model": importer.label,
            "source_id": str(r.source_pk),
        }
        for r in records
        if (key := id_key(table, r.pk)) is not None
    ]
    for chunk in _chunks(rows):
        session.execute(insert(ImportedRow).on_conflict_do_nothing(), chunk)


def _foreign_refs(
    session: Session,
    by_model: Mapping[str, Sequence[Record]],
    records: Sequence[Record],
    name: str,
    other: str,
    allowed: Set[Any],
) -> list[Conflict]:
    table = REGISTRY[other].target
    if table is None:
        return []
    imported = {id_key(table, r.pk) for r in by_model.get(other, ())} | set(allowed)
    wanted: dict[Any, Record] = {}
    for record in records:
        for value in _values(record.fields.get(name)):
            key = id_key(table, value)
            if key not in imported:
                wanted.setdefault(key, record)
    return _foreign(session, table, wanted, refers=True)


def _foreign(
    session: Session, table: Table, wanted: Mapping[Any, Record], *, refers: bool
) -> list[Conflict]:
    """The conflicts of the rows of ``table`` with ids in ``wanted`` not imported."""
    keys = [k for k in wanted if k is not None]
    id_column = table.c.id
    shown = _shown_columns(table)
    held: dict[Any, tuple[Any, ...]] = {}
    for chunk in _chunks(keys):
        query = select(id_column, *shown).where(id_column.in_(chunk))
        held.update({row[0]: tuple(row[1:]) for row in session.execute(query)})
    ours: set[str] = set()
    for chunk in _chunks([str(k) for k in held]):
        ours.update(
            session.scalars(
                select(ImportedRow.target_id).where(
                    ImportedRow.target_table == table.name,
                    ImportedRow.source == SOURCE,
                    ImportedRow.target_id.in_(chunk),
                )
            )
        )
    return [
        Conflict(str(wanted[key]), _holder(table, key, shown, held[key]), refers)
        for key in sorted(held, key=str)
        if str(key) not in ours
    ]


def _shown_columns(table: Table) -> list[Column[Any]]:
    named = [table.c[n] for n in NAME_COLUMNS if n in table.c]
    if named:
        return named[:1]
    return [c for c in table.c if c.foreign_keys]


def _holder(
    table: Table, key: Any, shown: Sequence[Column[Any]], values: Sequence[Any]
) -> str:
    what = ", ".join(f"{c.name} {v!r}" for c, v in zip(shown, values, strict=True))
    return f"{table.name} id {key}" + (f" ({what})" if what else "")


def id_key(table: Table, value: Any) -> Any:
    """``value`` as an id of ``table``, or None if it is none (the loader says so)."""
    if table.c.id.type.python_type is uuid.UUID:
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
