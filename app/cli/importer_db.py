"""``flask import managair --from-db``: the run, its progress and its report.

Three steps, each its own transaction here, all in one read-only snapshot of
Managair's database: the small tables (all or nothing), the samples chunk by
chunk (each committed, so a kill loses at most one), then the verification.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager

import click

import psycopg

from app.db import transaction
from app.extensions import db
from app.services.importer import FixtureImportError, import_records
from app.services.importer.samples import Chunk, Copied, copy_chunks, node_ids, plan
from app.services.importer.source import masked, read_records, snapshot
from app.services.importer.verify import Verification, verify

#: plain progress lines (no terminal): at most one per this many seconds
LINE_EVERY_S = 5.0
#: how many differing nodes the report lists
SHOWN = 10


class _DryRunError(Exception):
    """Raised to roll back a dry run after its report."""


def run(url: str, *, remap: bool, dry_run: bool) -> None:
    """Import from Managair's database at ``url`` and verify; exit 1 on a mismatch.

    Raises:
        click.ClickException: the source cannot be read or the import is refused.
    """
    click.echo(f"Reading {masked(url)} (one read-only snapshot).")
    try:
        with snapshot(url) as conn:
            try:
                with transaction() as session:
                    records = read_records(conn)
                    import_records(
                        session, records, click.echo, remap=remap, dry_run=dry_run
                    )
                    nodes = node_ids(session)
                    chunks = plan(conn, session, nodes)
                    if dry_run:
                        _would_copy(chunks)
                        raise _DryRunError
            except _DryRunError:
                click.echo("Dry run: nothing was stored.")
                return
            _copy(conn, chunks)
            result = verify(conn, db.session(), nodes)
            db.session.rollback()
    except FixtureImportError as exc:
        raise click.ClickException(f"Nothing imported: {exc}") from exc
    _report(result)


def _would_copy(chunks: Sequence[Chunk]) -> None:
    rows = sum(c.rows for c in chunks)
    nodes = len({c.node for c in chunks})
    click.echo(f"core.sample: would copy {rows} samples of {nodes} nodes.")


def _copy(conn: psycopg.Connection, chunks: list[Chunk]) -> None:
    total = sum(c.rows for c in chunks)
    click.echo(f"core.sample: copying {total} samples in {len(chunks)} chunks.")
    started = time.monotonic()
    done = Copied()
    with (
        _progress(total, started) as advance,
        transaction() as session,
        closing(copy_chunks(conn, session, chunks)) as copies,
    ):
        for chunk, copied in copies:
            session.commit()  # a kill loses at most the chunk in flight
            done += copied
            advance(chunk.rows)
    seconds = time.monotonic() - started
    rate = done.stored / seconds if seconds > 0 else 0.0
    click.echo(
        f"core.sample: {done.stored} samples stored ({done.replaced} replaced) "
        f"in {seconds:.1f} s ({rate:,.0f} samples/s)."
    )


@contextmanager
def _progress(total: int, started: float) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal, else a plain line every ``LINE_EVERY_S``."""
    if sys.stdout.isatty():
        with click.progressbar(
            length=total, label="core.sample", show_pos=True, show_eta=True
        ) as bar:
            yield bar.update
        return
    done = 0
    last = started

    def advance(rows: int) -> None:
        nonlocal done, last
        done += rows
        now = time.monotonic()
        if now - last >= LINE_EVERY_S or done == total:
            click.echo(_line(done, total, now - started))
            last = now

    yield advance


def _line(done: int, total: int, seconds: float) -> str:
    rate = done / seconds if seconds > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else 0.0
    percent = 100 * done // total if total else 100
    return (
        f"core.sample: {done}/{total} ({percent} %), {rate:,.0f} samples/s, "
        f"ETA {eta:.0f} s"
    )


def _report(result: Verification) -> None:
    click.echo("Verification (Managair -> here):")
    for table in result.tables:
        here = "-" if table.target is None else str(table.target)
        flag = "" if table.matches else "  MISMATCH"
        click.echo(f"  {table.label}: {table.source} -> {here}{flag}")
    there, stored = result.samples
    click.echo(f"  core.sample: {there} -> {stored} in {len(result.nodes)} nodes")
    differing = [n for n in result.nodes if not n.matches]
    for node in differing[:SHOWN]:
        click.echo(f"  node {node.node}: {node.source} -> {node.target}  MISMATCH")
    if len(differing) > SHOWN:
        click.echo(f"  and {len(differing) - SHOWN} more nodes differ.")
    if result.mismatches:
        raise click.ClickException(
            f"{len(result.mismatches)} differences between Managair and here."
        )
    click.echo("Everything matches.")
