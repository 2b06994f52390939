"""``flask publishers``: the outbox of IoT data platforms, seen and nudged by operators."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.cli.group import Group
from app.db import transaction
from app.services.access import SYSTEM
from app.services.outbox import admin
from app.services.outbox import publishers as publisher_registry


@click.group(cls=Group, help="Forwarding of public samples to IoT data platforms.")
def publishers() -> None:
    """Group of publisher commands."""


@contextmanager
def _transaction() -> Iterator[Session]:
    """The command's transaction; an unreachable database is one clear line."""
    try:
        with transaction() as session:
            yield session
    except OperationalError as exc:
        raise click.ClickException(
            f"database unreachable ({type(exc).__name__}); check DATABASE_URL"
        ) from exc


@publishers.command("status")
def status() -> None:
    """Show per publisher how many samples were delivered, are pending or parked.

    Pending rows wait for the jobs process (retrying ones have failed before);
    parked rows failed OUTBOX_MAX_ATTEMPTS times and wait for retry-parked.
    """
    enabled = publisher_registry.enabled_names(current_app.config)
    with _transaction() as session:
        rows = admin.status(session, SYSTEM, enabled)
    if not enabled:
        click.echo("Forwarding is off (IOTDP_INTEGRATION=0 or no IOTDP_PUBLISHERS).")
    header = ("PUBLISHER", "ENABLED", "DELIVERED", "PENDING", "RETRYING", "PARKED")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.publisher,
                "yes" if row.publisher in enabled else "no",
                str(row.delivered),
                str(row.pending),
                str(row.retrying),
                str(row.parked),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        click.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


@publishers.command("retry-parked")
@click.option(
    "--publisher",
    type=click.Choice(sorted(publisher_registry.PUBLISHERS)),
    help="Only this publisher's rows (default: all).",
)
def retry_parked(publisher: str | None) -> None:
    """Give parked rows a fresh set of attempts; the next delivery run takes them.

    Parked rows failed OUTBOX_MAX_ATTEMPTS times, or at once for a problem that
    retrying alone cannot solve (flask publishers status counts them; the back
    office's outbox page shows their last error): fix the cause first.
    """
    with _transaction() as session:
        count = admin.retry_parked(session, SYSTEM, publisher)
    click.echo(f"{count} parked rows are due again.")
