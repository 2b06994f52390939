"""Row keys from requests: what a submitted id means, before the database sees it.

A row id comes from the query string (``?id=`` of the details, edit and delete
pages), from a ticked row, or from a Select2 field (the id of the chosen
user, site, room, ...). Handed to the database as it came, ``abc`` for an
integer key or a number past its range was a database error: a bare 400 page,
and the form with everything typed into it was gone. Here an id that cannot be
a key finds no row, which each page already handles ("Record does not exist.",
"Not a valid choice" on the field).
"""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader

from sqlalchemy import inspect as sa_inspect

from app.jsonapi.guard import unstorable_character

#: Rows a Select2 look-up skips at most (its pages are 10 rows).
MAX_LOOKUP_OFFSET = 10_000


def key_value(model: type[Any], raw: Any) -> Any | None:
    """``raw`` as a value of ``model``'s single key column; None if it cannot be one."""
    column = sa_inspect(model).primary_key[0]
    try:
        value = column.type.python_type(raw)
    except (TypeError, ValueError, NotImplementedError):
        return None
    if isinstance(value, int) and not 0 < value < 2**63:
        return None
    return value


class KeyedAjaxLoader(QueryAjaxModelLoader):  # type: ignore[misc]
    """flask-admin's Select2 loader, for ids and search text no row can have."""

    def get_one(self, pk: Any) -> Any:
        """The row with key ``pk``; None if there is none or ``pk`` cannot be a key."""
        value = key_value(self.model, pk)
        return None if value is None else super().get_one(value)

    def get_list(self, term: str, offset: int = 0, limit: int = 10) -> Any:
        """The rows matching ``term``; none for text no row can hold."""
        if unstorable_character(term):
            return []
        return super().get_list(term, min(max(offset, 0), MAX_LOOKUP_OFFSET), limit)
