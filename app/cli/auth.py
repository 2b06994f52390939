"""``flask auth``: housekeeping of the credential tables."""

from __future__ import annotations

import click
from flask import current_app

from app.cli.group import Group
from app.db import transaction
from app.models.types import utcnow
from app.services.accounts import login_throttle, logins, revocation
from app.services.tenancy import lookups


@click.group(cls=Group, help="Authentication housekeeping.")
def auth() -> None:
    """Group of authentication commands."""


@auth.command("prune")
def prune() -> None:
    """Delete expired revocations, log-in counters and member finds, and ended log-ins.

    Safe to run at any time. The jobs process does not run it: schedule it
    yourself, e.g. daily from cron.
    """
    now = utcnow()
    limits = login_throttle.Limits.from_config(current_app.config)
    with transaction() as session:
        revoked = revocation.prune(session, now)
        counters = login_throttle.prune(session, limits, now)
        ended = logins.prune(session, now)
        finds = lookups.prune(session, now)
    click.echo(
        f"Pruned {revoked} revoked credentials, {counters} log-in counters, "
        f"{ended} ended log-ins and {finds} member finds by e-mail."
    )
