"""Command-line interface: ``flask <group> <command>``; every command has ``--help``."""

from __future__ import annotations

from flask import Flask

from app.cli.deferred import Deferred

#: Each group's name and where it lives; a group is imported when it runs
#: (:mod:`app.cli.deferred`). ``db`` is Flask-Migrate's (``flask db upgrade``; :mod:`app.cli.migrations`).
COMMANDS = (
    ("users", "app.cli.users:users"),
    ("demo", "app.cli.demo:demo"),
    ("import", "app.cli.importer:import_group"),
    ("jobs", "app.cli.jobs:jobs"),
    ("publishers", "app.cli.publishers:publishers"),
    ("auth", "app.cli.auth:auth"),
    ("analysts", "app.cli.analysts:analysts"),
    ("series", "app.cli.series:series"),
    ("ingest-tokens", "app.cli.ingest_tokens:ingest_tokens"),
    ("db", "app.cli.migrations:db"),
)


def register_commands(app: Flask) -> None:
    """Attach every command group to ``app``."""
    for name, target in COMMANDS:
        app.cli.add_command(Deferred(name, target))
