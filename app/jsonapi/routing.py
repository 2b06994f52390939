"""URL matching that accepts every route with and without its trailing slash."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: The largest id a (bigint) primary key can hold.
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` capped at :data:`MAX_ID`: a larger id names no row.

    Without the cap such an id reached the database and came back as a 400
    ("out of range") although the OpenAPI document allowed it; now the URL
    matches no route (404), and the document states the maximum.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def cap_path_ids(app: Flask) -> None:
    """Make ``int`` path segments :class:`IdConverter` s (before any route is added)."""
    app.url_map.converters["int"] = IdConverter


def make_slashes_optional(app: Flask) -> None:
    """Serve ``/x/`` and ``/x`` alike, for every method, without a redirect.

    The Clair clients send many GETs and all DELETEs without the trailing
    slash. Werkzeug's default answers those with a 308 to an absolute URL;
    with ``strict_slashes`` off the rule matches both forms directly. Rules
    bind the map's setting when they are added, so rules that already exist
    are switched too; call this as early as you like.

    Args:
        app: the application.
    """
    app.url_map.strict_slashes = False
    for rule in app.url_map.iter_rules():
        rule.strict_slashes = False
