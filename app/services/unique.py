"""One check that a value is free: no other row already holds it.

Sites and rooms (names within their parent), nodes (EUI-64), catalogue entries
and usernames are checked before they are written, so that the 409 names the
attribute; the unique constraints still catch a concurrent writer
(:mod:`app.jsonapi.integrity`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.errors import ConflictError


def require_free(
    session: Session,
    ident: InstrumentedAttribute[Any],
    condition: ColumnElement[bool],
    own_id: Any,
    detail: str,
    pointer: str,
) -> None:
    """Refuse a value that a row other than ``own_id`` already has.

    Args:
        session: the database session.
        ident: the primary-key column of the rows to look in (``Site.id``).
        condition: what a row holding the value matches.
        own_id: the row being changed (None on create): it may keep its value.
        detail: the error's text.
        pointer: the attribute, e.g. ``/data/attributes/name``.

    Raises:
        ConflictError: another row holds the value (409 at ``pointer``).
    """
    stmt = select(ident).where(condition)
    if own_id is not None:
        stmt = stmt.where(ident != own_id)
    if session.scalar(stmt) is not None:
        raise ConflictError(detail, pointer)
