"""Command-line interface: ``flask <group> <command>``; every command has ``--help``."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to ``app``."""
    from app.cli.auth import auth
    from app.cli.demo import demo
    from app.cli.importer import import_group
    from app.cli.ingest_tokens import ingest_tokens
    from app.cli.users import users

    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(import_group)

    from app.cli.jobs import jobs
    from app.cli.publishers import publishers

    app.cli.add_command(jobs)
    app.cli.add_command(publishers)

    app.cli.add_command(auth)

    from app.cli.analysts import analysts

    app.cli.add_command(analysts)

    from app.cli.series import series

    app.cli.add_command(series)

    app.cli.add_command(ingest_tokens)
