"""``flask series``: refresh and inspect the downsampled series aggregates."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import click
from flask import current_app

from sqlalchemy.orm import Session

from app.cli.group import Group
from app.extensions import db
from app.services.access import SYSTEM
from app.services.ops import database, footprint, storage
from app.services.series import aggregates


@click.group(
    cls=Group,
    help="Downsampled series (samples_10m, samples_1h, samples_1d, samples_1mo, "
    "samples_1d_local): refresh, status, storage, day zone.",
    short_help="Downsampled series: refresh, status, storage, day zone.",
)
def series() -> None:
    """Group of series commands."""


@series.command("refresh")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
    help="Materialize buckets that end before this UTC time, at latest now "
    "(default: now).",
)
@click.option(
    "--step-days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Advance by at most this many days per transaction (progress, bounded work).",
)
@click.option(
    "--max-dirty",
    type=click.IntRange(1, 2**31 - 1),
    default=100_000,
    show_default=True,
    help="Process at most this many logged writes per transaction (Apache edition).",
)
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def refresh(
    until: datetime | None, step_days: int, max_dirty: int, quiet: bool
) -> None:
    """Bring the aggregates up to date, one bounded step at a time.

    Apache edition: recomputes the buckets touched by samples written below the
    watermark, then advances it. TSL edition: refreshes the continuous aggregates
    (as their policies would). Safe to interrupt and to run while ingest goes on.
    """
    moment = until.replace(tzinfo=UTC) if until else None
    if moment is not None and moment > datetime.now(UTC):
        # buckets below the watermark are read as complete: one in the future
        # would hide samples stored later until a refresh recomputes them
        raise click.BadParameter(
            f"{moment.isoformat(timespec='minutes')} is in the future; the "
            "aggregates can only be complete up to now. Give a time up to now, or "
            "leave --until out to refresh up to now.",
            param_hint="'--until'",
        )
    started = time.monotonic()
    steps = 0
    while True:
        session = db.session()
        stats = aggregates.refresh(
            session,
            until=moment,
            max_span=timedelta(days=step_days),
            max_dirty=max_dirty,
        )
        session.commit()
        steps += 1
        if not quiet:
            click.echo(_progress(stats))
        if stats.caught_up or _stalled(stats):
            break
    seconds = time.monotonic() - started
    click.echo(
        f"Series aggregates ({stats.edition} edition) are complete up to "
        f"{_when(stats.watermark_after)}: {steps} step(s) in {seconds:.1f} s."
    )


@series.command("status")
def status() -> None:
    """Show the edition, each level's watermark and the pending logged writes."""
    report = aggregates.status(db.session())
    click.echo(f"edition: {report.edition}")
    for level, mark in report.watermarks.items():
        click.echo(f"samples_{level}: complete below {_when(mark)}")
    if report.dirty is not None:
        click.echo(f"logged writes waiting for refresh: {report.dirty}")
    click.echo(f"samples_1d_local: local days of {report.day_zone}")


@series.command("day-zone")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Keep the stored local days in ANALYSIS_TIMEZONE from now on: empties "
    "samples_1d_local, which the next refresh fills again.",
)
def day_zone(rebuild: bool) -> None:
    """Compare the zone of the stored local days with ANALYSIS_TIMEZONE.

    samples_1d_local keeps the local days of the zone ANALYSIS_TIMEZONE had when it
    was created. Daily series in any other zone are folded from hours: exact, but
    about 10 ms slower for a year. After changing ANALYSIS_TIMEZONE, run this with
    --rebuild, then `flask series refresh` (the TSL edition's policy refills it too).
    """
    session = db.session()
    wanted = current_app.config["ANALYSIS_TIMEZONE"]
    stored = aggregates.status(session).day_zone
    if stored == wanted:
        click.echo(
            f"samples_1d_local keeps the local days of {wanted} (ANALYSIS_TIMEZONE)."
        )
        return
    if not rebuild:
        click.echo(
            f"samples_1d_local keeps the local days of {stored}, but ANALYSIS_TIMEZONE "
            f"is {wanted}: daily series in {wanted} are folded from hours (slower). "
            "Run `flask series day-zone --rebuild`, then `flask series refresh`."
        )
        return
    aggregates.rezone_local_days(session, wanted)
    session.commit()
    click.echo(
        f"samples_1d_local now keeps the local days of {wanted}. It is empty until "
        "`flask series refresh` (or the refresh job, or the TSL policy) fills it; "
        "daily series are folded from hours until then."
    )


@series.command("storage")
@click.option(
    "--apply",
    "apply_settings",
    is_flag=True,
    help="First apply SAMPLES_CHUNK_DAYS, SAMPLES_COMPRESS_AFTER_DAYS and "
    "SAMPLES_RETENTION_DAYS (as migration 0014 did) after changing them.",
)
@click.option(
    "--compress-now",
    is_flag=True,
    help="TSL edition: compress every chunk older than SAMPLES_COMPRESS_AFTER_DAYS "
    "now instead of waiting for the compression policy.",
)
def storage_command(apply_settings: bool, compress_now: bool) -> None:
    """Print what a sample costs on disk: bytes per raw sample for each level (raw,
    10m, 1h, 1d, local days), in total, in compressed chunks and in the others.

    A new chunk interval holds for chunks created from then on. Compression exists on
    the TSL edition only; the Apache edition stores everything uncompressed.
    """
    session = db.session()
    policy = storage.StoragePolicy.from_config(current_app.config)
    if apply_settings:
        applied = storage.apply(session, SYSTEM, policy)
        session.commit()
        click.echo(
            f"Applied: {applied.chunk_days}-day chunks for new data; "
            f"compression: {applied.compression}."
        )
    if compress_now:
        _compress_now(session, policy.compress_after_days)
    click.echo("Counting samples and measuring levels ...")
    report = footprint.measure(session)
    click.echo(
        f"{report.samples} samples, {report.edition} edition; "
        "bytes per sample (total / in compressed chunks / in the others):"
    )
    for level in report.levels:
        click.echo(
            f"{level.level:<11}{_per(report, level.total_bytes)}"
            f"{_per(report, level.compressed_bytes)}"
            f"{_per(report, level.uncompressed_bytes)}"
            f"  ({level.total_bytes} bytes)"
        )
    click.echo(f"{'all':<11}{_per(report, report.total_bytes)}")
    raw = report.levels[0]
    if raw.compressed_bytes:
        click.echo(
            f"raw chunks now compressed took {raw.compressed_bytes_before} bytes "
            f"before, {raw.compressed_bytes} after "
            f"({raw.compressed_bytes_before / raw.compressed_bytes:.1f}x smaller)"
        )


def _compress_now(session: Session, after_days: int) -> None:
    """Compress what the policy would, or say why nothing is compressed."""
    if database.timescale_info(session).edition != "timescale":
        click.echo(
            "Not compressing: the Apache edition of TimescaleDB has no compression "
            "(samples stay uncompressed)."
        )
    elif after_days <= 0:
        click.echo("Not compressing: SAMPLES_COMPRESS_AFTER_DAYS is 0 (never).")
    else:
        click.echo("Compressing old chunks ...")
        done = storage.compress_now(session, SYSTEM, after_days)
        session.commit()
        click.echo(f"Compressed {done} chunk(s).")


def _per(report: footprint.Footprint, size: int) -> str:
    value = report.per_sample(size)
    return f"{'-' if value is None else f'{value:.1f}':>10}"


def _progress(stats: aggregates.RefreshStats) -> str:
    return (
        f"  up to {_when(stats.watermark_after)} (target {_when(stats.target)}); "
        f"buckets 10m/1h/1d/local days: {stats.rows_10m}/{stats.rows_1h}/"
        f"{stats.rows_1d}/{stats.rows_1d_local}; "
        f"logged writes done/left: {stats.dirty_taken}/{stats.dirty_left}"
    )


def _stalled(stats: aggregates.RefreshStats) -> bool:
    """No progress possible (``until`` before the watermark and nothing logged)."""
    return (
        stats.watermark_after == stats.watermark_before
        and stats.dirty_left == 0
        and not stats.local_days_behind
    )


def _when(moment: datetime | None) -> str:
    return (
        "the beginning (nothing materialized)"
        if moment is None
        else (moment.astimezone(UTC).isoformat(timespec="minutes"))
    )
