"""Import a Managair deployment from Django fixture files (``manage.py dumpdata``).

``flask import managair users.json inventory.json ...`` reads every file,
groups the records by Django model and hands each model to its registered
loader in dependency order (:mod:`app.services.importer.registry`), whatever
the order of files and records. Primary keys are kept, so re-running updates
what changed and creates nothing twice; identity sequences then move past the
imported ids. Models without a loader are counted and reported, never fatal.
A run never changes a row it did not write: when an imported id is taken by
another row, it is refused before anything is written (:mod:`.provenance`).

Loaders: :mod:`app.services.importer.tenancy` (users, e-mail addresses,
organizations, memberships) and :mod:`app.services.importer.inventory` (device
catalogue, nodes, addresses, sites, rooms, installations, samples), registered
by :mod:`app.services.importer.inventory_registry`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from app.services.importer import inventory_registry as _inventory  # noqa: F401
from app.services.importer import liveness as _liveness  # noqa: F401  (registers)
from app.services.importer import tenancy as _tenancy  # noqa: F401  (registers)
from app.services.importer.checks import check_records
from app.services.importer.ids import assign_ids
from app.services.importer.provenance import (
    ImportConflictError,
    check_conflicts,
    remember,
)
from app.services.importer.reader import read_fixture
from app.services.importer.registry import (
    IGNORED,
    REGISTRY,
    FixtureImportError,
    LoadResult,
    Record,
    reset_identity,
)

__all__ = [
    "FixtureImportError",
    "ImportConflictError",
    "ImportReport",
    "ModelReport",
    "conflict_note",
    "import_fixtures",
    "import_records",
]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelReport:
    """What happened to the records of one Django model.

    Attributes:
        status: ``imported``, ``ignored`` (no counterpart here) or
            ``unsupported`` (no loader yet).
    """

    label: str
    records: int
    status: str
    result: LoadResult = field(default_factory=LoadResult)
    reason: str = ""


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one import run, model by model, in loading order."""

    models: tuple[ModelReport, ...]

    def of(self, label: str) -> ModelReport:
        """Return the report of one model.

        Raises:
            KeyError: the files held no record of ``label``.
        """
        return next(m for m in self.models if m.label == label)

    @property
    def unsupported(self) -> tuple[ModelReport, ...]:
        """The models that have no loader yet."""
        return tuple(m for m in self.models if m.status == "unsupported")

    @property
    def conflicting(self) -> tuple[ModelReport, ...]:
        """The models with stored rows that differ from their records and were
        kept as stored (samples: see :func:`.inventory.import_sample`)."""
        return tuple(m for m in self.models if m.result.conflicting)


def conflict_note(report: ModelReport) -> str:
    """Say how many of a model's stored rows differ from their records and were
    kept as stored, naming the first few; empty if there are none."""
    result = report.result
    if not result.conflicting:
        return ""
    noun = "sample" if report.label == "core.sample" else "record"
    what = (
        f"1 {noun} differs from the stored one and was"
        if result.conflicting == 1
        else f"{result.conflicting} {noun}s differ from the stored ones and were"
    )
    more = result.conflicting - len(result.conflicts)
    return (
        f"{report.label}: {what} kept as stored (an import never overwrites a "
        f"stored {noun}; it may have come from live ingest): "
        + "; ".join(result.conflicts)
        + (f"; and {more} more" if more > 0 else "")
        + "."
    )


def import_fixtures(
    session: Session,
    paths: Iterable[Path],
    progress: Progress = lambda _: None,
    *,
    remap: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import the records of fixture files; the caller commits.

    Args:
        session: the session to write with (one transaction for everything).
        paths: the fixture files, in any order.
        progress: receives one line per step, for the command line.
        remap: see :func:`import_records`.
        dry_run: see :func:`import_records`.

    Returns:
        What was imported, ignored and not supported, per model.

    Raises:
        ImportConflictError: imported ids, or rows records refer to, are held by
            rows this import did not write; raised before anything is written.
        FixtureImportError: a file is unreadable, a record is malformed, refers to
            a missing row or collides with a different existing row.
    """
    by_model: dict[str, list[Record]] = defaultdict(list)
    for path in paths:
        records = read_fixture(path)
        progress(f"Read {path.name}: {_records(len(records))}.")
        for record in records:
            by_model[record.model].append(record)
    return import_records(session, by_model, progress, remap=remap, dry_run=dry_run)


def import_records(
    session: Session,
    by_model: dict[str, list[Record]],
    progress: Progress = lambda _: None,
    *,
    remap: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import records grouped by Django model (from files or Managair's database).

    Args:
        session: the session to write with; the caller commits.
        by_model: the records by Django model label, with the source's ids.
        progress: receives one line per step.
        remap: give records whose id is held by a row of another origin a new
            id (references follow) instead of refusing the run.
        dry_run: the caller rolls back: leave every sequence as it is (``setval``
            and ``nextval`` are not rolled back), so ids are not moved past the
            imported ones, new ids are counted here, and samples are compared,
            not written (their write trigger's log takes ids).

    Raises:
        ImportConflictError: ids the import needs are held by rows it did not
            write (and ``remap`` is off); raised before anything is written.
        FixtureImportError: a record is malformed or refers to a missing row.
    """
    check_records(by_model)
    by_model, matched = assign_ids(session, by_model, remap=remap, dry_run=dry_run)
    check_conflicts(session, by_model, matched)
    reports = [
        _load(session, label, by_model[label], progress, dry_run=dry_run)
        for label in _order(by_model)
    ]
    for importer in sorted(REGISTRY.values(), key=lambda i: i.order):
        if importer.label in by_model and not dry_run:
            for table in importer.tables:
                reset_identity(session, table)
    for label in sorted(set(by_model) - set(REGISTRY)):
        records_n = len(by_model[label])
        if label in IGNORED:
            reports.append(
                ModelReport(label, records_n, "ignored", reason=IGNORED[label])
            )
            progress(f"{label}: {_records(records_n)} ignored ({IGNORED[label]}).")
        else:
            reports.append(ModelReport(label, records_n, "unsupported"))
            progress(f"{label}: {_records(records_n)} not yet supported, skipped.")
    return ImportReport(tuple(reports))


def _order(by_model: dict[str, list[Record]]) -> list[str]:
    present = [REGISTRY[label] for label in by_model if label in REGISTRY]
    return [i.label for i in sorted(present, key=lambda i: i.order)]


def _load(
    session: Session,
    label: str,
    records: Sequence[Record],
    progress: Progress,
    *,
    dry_run: bool,
) -> ModelReport:
    progress(f"{label}: importing {_records(len(records))}...")
    importer = REGISTRY[label]
    load = importer.preview if dry_run and importer.preview else importer.load
    try:
        with session.begin_nested():
            result = load(session, records)
            remember(session, REGISTRY[label], records)
    except (sa_exc.IntegrityError, sa_exc.DataError) as exc:
        raise FixtureImportError(f"{label}: {_describe(exc)}") from None
    conflicting = (
        f", {result.conflicting} conflicting (kept as stored)"
        if result.conflicting
        else ""
    )
    progress(
        f"{label}: {result.created} created, {result.changed} changed, "
        f"{result.unchanged} unchanged{conflicting}."
    )
    for note in result.notes:
        progress(f"{label}: {note}")
    report = ModelReport(label, len(records), "imported", result)
    if result.conflicting:
        progress(conflict_note(report))
    return report


def _describe(exc: sa_exc.DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)
    primary = getattr(diag, "message_primary", None) or type(exc.orig).__name__
    detail = getattr(diag, "message_detail", None)
    return f"{primary} ({detail})" if detail else str(primary)


def _records(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"
