"""``flask import``: move data over from other systems."""

from __future__ import annotations

from pathlib import Path

import click

from app.db import transaction
from app.services.importer import (
    FixtureImportError,
    ImportReport,
    import_fixtures,
)


class _DryRunError(Exception):
    """Raised to roll back a dry run after its report."""


@click.group("import", help="Import data from other systems.")
def import_group() -> None:
    """Group of import commands."""


@import_group.command("managair")
@click.argument(
    "fixtures",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--dry-run", is_flag=True, help="Check and report, then roll back.")
def managair(fixtures: tuple[Path, ...], dry_run: bool) -> None:
    """Import Managair's Django fixture files (``manage.py dumpdata`` JSON).

    Give all files of a deployment in one run, in any order. Users keep their
    ids and passwords (Django hashes are re-hashed at their next login);
    running again updates what changed. Models without an importer yet are
    reported and skipped. Everything is one transaction: an error changes
    nothing. Rows that did not come from a Managair import are never changed:
    if one holds an id the files need, the run is refused before writing.
    """
    try:
        with transaction() as session:
            report = import_fixtures(session, fixtures, click.echo)
            if dry_run:
                raise _DryRunError
    except FixtureImportError as exc:
        raise click.ClickException(f"Nothing imported: {exc}") from exc
    except _DryRunError:
        click.echo("Dry run: nothing was stored.")
    else:
        _summary(report)


def _summary(report: ImportReport) -> None:
    imported = [m for m in report.models if m.status == "imported"]
    click.echo(
        "Imported: "
        + (", ".join(f"{m.label} ({m.records})" for m in imported) or "nothing")
        + "."
    )
    if report.unsupported:
        click.echo(
            "Not yet supported (skipped): "
            + ", ".join(f"{m.label} ({m.records})" for m in report.unsupported)
            + "."
        )
