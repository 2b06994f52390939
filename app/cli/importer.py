"""``flask import``: move data over from other systems."""

from __future__ import annotations

import os
from pathlib import Path

import click

from app.cli import importer_db
from app.cli.group import Group
from app.db import transaction
from app.services.importer import (
    FixtureImportError,
    ImportReport,
    conflict_note,
    import_fixtures,
)

SOURCE_ENV = "MANAGAIR_DATABASE_URL"


class _DryRunError(Exception):
    """Raised to roll back a dry run after its report."""


@click.group("import", cls=Group, help="Import data from other systems.")
def import_group() -> None:
    """Group of import commands."""


@import_group.command("managair")
@click.argument(
    "fixtures",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--from-db",
    "source_url",
    metavar="URL",
    help=(
        "Read a live Managair PostgreSQL database instead of fixture files "
        "(read-only, one snapshot). Also from $MANAGAIR_DATABASE_URL or the file "
        "named by $MANAGAIR_DATABASE_URL_FILE, so the password stays off the "
        "command line; it is never printed."
    ),
)
@click.option(
    "--remap-ids",
    is_flag=True,
    help=(
        "Give imported rows whose id is taken here by a row of another origin a "
        "new id (references follow) instead of refusing the run."
    ),
)
@click.option(
    "--dry-run",
    is_flag=True,
    help=(
        "Read everything and report what would change, then store nothing "
        "(id sequences are left as they are too)."
    ),
)
def managair(
    fixtures: tuple[Path, ...],
    source_url: str | None,
    remap_ids: bool,
    dry_run: bool,
) -> None:
    """Import a Managair deployment: fixture files or, with --from-db, its database.

    Fixture files (the JSON of Managair's "manage.py dumpdata"): give all files in
    one run, in any order; everything is one transaction, e.g.

    \b
    flask import managair --dry-run users.json inventory.json data.json

    --from-db URL: reads users (with their password hashes), organizations,
    memberships, the device catalogue, nodes, places, installations, fidelity,
    Stadtpuls registrations and all samples. Samples stream in chunks (one node's
    consecutive UTC days, up to 100,000 samples), each committed: run it again after a kill, or for the
    final delta before the switch-over, and only days that differ are copied.
    Ends with a verification (rows per table, samples per node) and exits 1 if
    anything differs.

    Either way users keep their ids and passwords (Django hashes are re-hashed
    at their next login), and running again updates what changed. Rows that did
    not come from a Managair import are never changed: if one holds an id the
    import needs, the run is refused before writing (or, with --remap-ids, the
    imported row gets a new id).
    """
    url = source_url or _source_from_environment()
    if url is not None:
        if fixtures and source_url is None:
            raise click.UsageError(
                f"{_environment_source()} is set and names a database: unset it "
                "to import fixture files, or give no files to import from it."
            )
        if fixtures:
            raise click.UsageError("Give fixture files or --from-db, not both.")
        importer_db.run(url, remap=remap_ids, dry_run=dry_run)
        return
    if not fixtures:
        raise click.UsageError("Give fixture files, or --from-db URL.")
    try:
        with transaction() as session:
            report = import_fixtures(
                session, fixtures, click.echo, remap=remap_ids, dry_run=dry_run
            )
            if dry_run:
                raise _DryRunError
    except FixtureImportError as exc:
        raise click.ClickException(f"Nothing imported: {exc}") from exc
    except _DryRunError:
        click.echo("Dry run: nothing was stored.")
    else:
        summary(report)


def _source_from_environment() -> str | None:
    if url := os.environ.get(SOURCE_ENV):
        return url
    path = os.environ.get(f"{SOURCE_ENV}_FILE")
    if not path:
        return None
    try:
        url = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise click.UsageError(
            f"{SOURCE_ENV}_FILE: cannot read {path!r} ({exc.strerror})."
        ) from None
    except UnicodeDecodeError:
        raise click.UsageError(
            f"{SOURCE_ENV}_FILE: {path!r} is not UTF-8 text; save the URL as UTF-8."
        ) from None
    if not url:
        raise click.UsageError(
            f"{SOURCE_ENV}_FILE: {path!r} is empty; write the database URL into it "
            "(postgresql://USER:PASSWORD@HOST:PORT/NAME)."
        )
    return url


def _environment_source() -> str:
    """The variable the database URL came from."""
    return SOURCE_ENV if os.environ.get(SOURCE_ENV) else f"{SOURCE_ENV}_FILE"


def summary(report: ImportReport) -> None:
    """Print which models were imported, which kept stored rows that differ from
    their records, and which are not supported yet."""
    imported = [m for m in report.models if m.status == "imported"]
    click.echo(
        "Imported: "
        + (", ".join(f"{m.label} ({m.records})" for m in imported) or "nothing")
        + "."
    )
    for model in report.conflicting:
        click.echo(f"Conflicting: {conflict_note(model)}")
    if report.unsupported:
        click.echo(
            "Not yet supported (skipped): "
            + ", ".join(f"{m.label} ({m.records})" for m in report.unsupported)
            + "."
        )
