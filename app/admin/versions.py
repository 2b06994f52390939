"""Edit forms carry the version of the row they were opened on.

flask-admin saves whatever the form holds over the row as it is now: when
someone else changed the row after the form was opened, their change was
overwritten without a word. The edit form now carries a digest of what it
edits as it was shown (a hidden field); a save whose digest no longer matches
the row is refused with a message to reload.

The digest covers the form's own columns only: columns that change on their
own (a user's last log-in) must not make every open form stale. A related row
counts by its key, a list of related rows (an organization's memberships, a
model's quantities) by each row's columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ColumnProperty, RelationshipProperty

#: The hidden field holding the digest.
FIELD = "row_version"


def row_version(model: Any, names: Iterable[str]) -> str:
    """Return the digest of ``model``'s attributes ``names`` as stored now."""
    mapper = sa_inspect(model).mapper
    parts = []
    for name in names:
        prop = mapper.attrs.get(name)
        if isinstance(prop, ColumnProperty):
            parts.append((name, repr(getattr(model, name))))
        elif isinstance(prop, RelationshipProperty):
            value = getattr(model, name)
            if prop.uselist:
                parts.append((name, repr(sorted(_columns(row) for row in value))))
            else:
                key = None if value is None else sa_inspect(value).identity
                parts.append((name, repr(key)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _columns(row: Any) -> str:
    mapper = sa_inspect(row).mapper
    return repr([getattr(row, prop.key) for prop in mapper.column_attrs])
