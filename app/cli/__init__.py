"""Command-line interface: ``flask <group> <command>``; every command has ``--help``."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to ``app``."""
    from app.cli.demo import demo
    from app.cli.ingest_tokens import ingest_tokens
    from app.cli.users import users

    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(ingest_tokens)
