"""``filter[search]``: every term must occur (case-insensitively) in one of the fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true


def matches_all(columns: Sequence[Any], terms: Sequence[str]) -> ColumnElement[bool]:
    """Return the condition that each term is a substring of one of ``columns``."""
    if not terms:
        return true()
    return and_(
        *(
            or_(
                *(column.ilike(f"%{_escape(term)}%", escape="\\") for column in columns)
            )
            for term in terms
        )
    )


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
