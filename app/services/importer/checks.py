"""Checks every record passes before the import looks anything up.

The provenance and clash queries run before the loaders, so values the database
cannot even compare (a NUL or a lone surrogate in text, an id beyond bigint) and
a record given twice (one upsert cannot write a row twice) are refused here,
naming the record and the field, instead of failing inside a query.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Table

from app.jsonapi import guard
from app.services.importer.registry import REGISTRY, FixtureImportError, Record

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


def check_records(by_model: Mapping[str, Sequence[Record]]) -> None:
    """Refuse unstorable text, out-of-range ids and records given twice.

    Raises:
        FixtureImportError: names the first such record and field.
    """
    for label, records in by_model.items():
        importer = REGISTRY.get(label)
        seen: dict[str, Record] = {}
        for record in records:
            for name, value in record.fields.items():
                _check_text(record, name, value)
            if importer is None:
                continue
            if importer.target is not None:
                _check_id(record, "pk", record.pk, importer.target)
            for name, other in importer.refs.items():
                table = REGISTRY[other].target if other in REGISTRY else None
                values = record.fields.get(name)
                for value in values if isinstance(values, list) else [values]:
                    if table is not None and value is not None:
                        _check_id(record, name, value, table)
            key = _key(record.pk)
            if key in seen:
                raise FixtureImportError(
                    f"{record}: appears twice (also in {seen[key].source});"
                    " keep one of them."
                )
            seen[key] = record


def _key(pk: Any) -> str:
    try:
        return str(uuid.UUID(pk)) if isinstance(pk, str) else repr(pk)
    except ValueError:
        return repr(pk)


def _check_text(record: Record, name: str, value: Any) -> None:
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        found = guard.unstorable_character(text)
        if found == "\x00":
            raise FixtureImportError(
                f"{record}: field {name!r} contains a NUL character; remove it."
            )
        if found is not None:
            raise FixtureImportError(
                f"{record}: field {name!r} is not valid Unicode text"
                " (a lone surrogate); fix the export."
            )


def _check_id(record: Record, name: str, value: Any, table: Table) -> None:
    """Integer ids must fit the column; UUIDs and other types the loaders check."""
    if isinstance(value, bool) or not isinstance(value, int):
        return
    largest = BIGINT_MAX if isinstance(table.c.id.type, BigInteger) else INT_MAX
    if not 1 <= value <= largest:
        what = "primary key" if name == "pk" else f"field {name!r}"
        raise FixtureImportError(
            f"{record}: {what} {value} is not an id (1 to {largest})."
        )
