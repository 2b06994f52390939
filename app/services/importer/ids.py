"""Which id each imported record gets here: its own, the one an earlier run gave
it, or (``--remap-ids``) a new one, with every reference to it rewritten.

Into an empty database ids are kept, so bookmarked dashboard URLs keep working.
A record imported before keeps the id that run gave it (``imported_rows``), so
re-runs update their own rows. A record whose id is held by a row of another
origin is given a new id only when the operator asked for it; otherwise it is
left as it is, and :func:`.provenance.check_conflicts` refuses the run.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from app.models import ImportedRow
from app.services.importer.provenance import id_key
from app.services.importer.registry import REGISTRY, Record

CHUNK = 5000
#: catalogue models matched by name under ``--remap-ids``: Managair's ``CO2``
#: quantity is this database's ``CO2`` quantity, not a second one (which its
#: unique name would refuse anyway); the matched row is referred to, never written
NATURAL = {
    "core.quantity": "quantity",
    "core.nodeprotocol": "identifier",
    "core.nodemodel": "name",
}


def assign_ids(
    session: Session,
    by_model: Mapping[str, Sequence[Record]],
    *,
    remap: bool,
    dry_run: bool = False,
) -> tuple[dict[str, list[Record]], dict[str, set[Any]]]:
    """Return the records with the ids they get here and references rewritten.

    Args:
        session: the session of the import.
        by_model: the records by Django model, with the source's ids.
        remap: give records whose id is held by another row a new id.
        dry_run: the run is rolled back: count new ids up from the largest one
            instead of taking them from the sequence (which a rollback would not
            give back); they are the ids a real run would give unless rows are
            made meanwhile.

    Returns:
        The records by model, and by model the ids of rows here that records
        were matched to by name (referred to, never written).
    """
    present = sorted(
        (REGISTRY[label] for label in by_model if label in REGISTRY),
        key=lambda i: i.order,
    )
    moved: dict[str, dict[Any, Any]] = {}
    matched: dict[str, set[Any]] = {}
    result: dict[str, list[Record]] = {k: list(v) for k, v in by_model.items()}
    for importer in present:
        records = [_rewrite(r, importer.refs, moved) for r in result[importer.label]]
        table = importer.target
        if table is not None:
            ids = _ids(
                session, importer.label, table, records, remap=remap, dry_run=dry_run
            )
            shared = (
                _shared(session, importer.label, table, records, ids) if remap else {}
            )
            moved[importer.label] = {**ids, **shared}
            matched[importer.label] = set(shared.values())
            records = [
                dataclasses.replace(r, pk=ids[r.pk], origin=r.pk) if r.pk in ids else r
                for r in records
                if r.pk not in shared
            ]
        result[importer.label] = records
    return result, matched


def _shared(
    session: Session,
    label: str,
    table: Table,
    records: Sequence[Record],
    ids: Mapping[Any, Any],
) -> dict[Any, Any]:
    """source pk -> id of the row here with the same name (catalogue models only),
    for the records that would otherwise get a new id."""
    column = NATURAL.get(label)
    if column is None:
        return {}
    names = {r.fields.get(column): r.pk for r in records if ids.get(r.pk, r.pk) != r.pk}
    if not names:
        return {}
    rows = session.execute(
        select(table.c[column], table.c.id).where(table.c[column].in_(list(names)))
    )
    return {names[name]: target for name, target in rows}


def _ids(
    session: Session,
    label: str,
    table: Table,
    records: Sequence[Record],
    *,
    remap: bool,
    dry_run: bool,
) -> dict[Any, Any]:
    """source pk -> target id, for the records whose id here is not their own."""
    known = _known(session, label, table, records)
    moved = {pk: target for pk, target in known.items() if target != pk}
    if not remap:
        return moved
    fresh = [r.pk for r in records if r.pk not in known]
    held = _held(session, table, fresh)
    clashing = [pk for pk in fresh if id_key(table, pk) in held]
    if not clashing:
        return moved
    if table.c.id.type.python_type is uuid.UUID:
        return moved | {pk: str(uuid.uuid4()) for pk in clashing}
    largest = _largest(session, table, [r.pk for r in records])
    if dry_run:
        return moved | {pk: largest + n for n, pk in enumerate(clashing, 1)}
    session.execute(select(func.setval(_sequence(table), largest)))
    return moved | {pk: _next_id(session, table) for pk in clashing}


def _sequence(table: Table) -> Any:
    return func.pg_get_serial_sequence(table.name, "id")


def _largest(session: Session, table: Table, pks: Sequence[Any]) -> int:
    """The largest of the table's ids, its sequence's last value and the
    records' own ids: new ids above it collide with none of them (rows made with
    explicit ids leave the sequence behind)."""
    largest = func.greatest(
        func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0),
        func.coalesce(func.pg_sequence_last_value(_sequence(table)), 0),
        max((pk for pk in pks if isinstance(pk, int)), default=0),
    )
    return int(session.scalar(select(largest)) or 0)


def _known(
    session: Session, label: str, table: Table, records: Sequence[Record]
) -> dict[Any, Any]:
    """The ids earlier runs gave these records (by their source id)."""
    by_text = {str(r.pk): r.pk for r in records}
    found: dict[Any, Any] = {}
    keys = list(by_text)
    for start in range(0, len(keys), CHUNK):
        rows = session.execute(
            select(ImportedRow.source_id, ImportedRow.target_id).where(
                ImportedRow.model == label,
                ImportedRow.target_table == table.name,
                ImportedRow.source_id.in_(keys[start : start + CHUNK]),
            )
        )
        for source_id, target_id in rows:
            pk = by_text[source_id]
            found[pk] = target_id if isinstance(pk, str) else int(target_id)
    return found


def _held(session: Session, table: Table, pks: Sequence[Any]) -> set[Any]:
    keys = [k for k in (id_key(table, pk) for pk in pks) if k is not None]
    held: set[Any] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        held.update(session.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return held


def _next_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.nextval(_sequence(table)))) or 0)


def _rewrite(
    record: Record, refs: Mapping[str, str], moved: Mapping[str, Mapping[Any, Any]]
) -> Record:
    """``record`` with its references pointing at the ids their rows got here."""
    changes: dict[str, Any] = {}
    for name, other in refs.items():
        ids = moved.get(other)
        value = record.fields.get(name)
        if not ids or value is None:
            continue
        if isinstance(value, list):
            changes[name] = [ids.get(v, v) for v in value]
        elif value in ids:
            changes[name] = ids[value]
    if not changes:
        return record
    return dataclasses.replace(record, fields={**record.fields, **changes})
