"""URL matching that accepts every route with and without its trailing slash."""

from __future__ import annotations

from flask import Flask


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
