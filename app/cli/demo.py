"""``flask demo``: the demo data set."""

from __future__ import annotations

import click

from sqlalchemy import func, select

from app.cli.group import Group
from app.db import transaction
from app.models import Organization
from app.services.ops import demo as demo_service


@click.group(cls=Group, help="Demo data for trying the service out.")
def demo() -> None:
    """Group of demo-data commands."""


@demo.command("load")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing when the database already holds organizations.",
)
def load(if_empty: bool) -> None:
    """Load demo organizations, people, rooms, nodes and 30 days of samples.

    Safe to run again: existing demo objects are kept and nothing is duplicated.
    """
    with transaction() as session:
        if if_empty and session.scalar(select(func.count(Organization.id))):
            click.echo("The database holds data already; demo data not loaded.")
        else:
            click.echo("Loading demo data (30 days of 5-minute samples per node)...")
            result = demo_service.load_demo(session)
            click.echo(f"Inserted {result['samples_inserted']} samples.")
    click.echo("Demo logins (username / password):")
    for login in demo_service.LOGINS:
        click.echo(f"  {login.username:<8} {login.password:<12} {login.what}")
