"""Delivering the outbox: claim due rows, send them per installation, book the outcome.

One run claims up to ``batch_size`` due rows of the enabled publishers
(``FOR UPDATE SKIP LOCKED``: a concurrent run takes other rows), groups them per
publisher and installation, registers the installation where the platform needs
it and has not seen it, and publishes the samples in batches. A row is marked
delivered only after the platform accepted its batch. A refused batch counts an
attempt and waits ``backoff * 2^(attempts-1)`` (capped); after ``max_attempts``
(or at once for a permanent problem) the row is parked until an operator calls
``flask publishers retry-parked``. A platform that does not answer, or answers
429, 502, 503 or 504, is skipped for the rest of the run, so one hanging or
overloaded remote costs one call per run. Each installation's samples reach a
platform in time order: a claimed row waits (``deferred``) while an older unsent
row of its installation does (a parked row holds nothing back).

Privacy is checked again at delivery: rows of an installation that is no longer
public, rows whose sample is gone and rows whose sample is no longer that public
installation's alone (it was ended, given another node, or overlapped by another
installation since) are dropped unsent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.models import PublisherRegistration
from app.models.types import utcnow
from app.services.access import Actor
from app.services.outbox import queries as q
from app.services.outbox.ledger import Ledger, OutboxTable
from app.services.outbox.publishers import (
    Batch,
    InstallationInfo,
    Publisher,
    PublishError,
    Registration,
    SampleOut,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverySettings:
    """Limits of one delivery run (``OUTBOX_*`` settings)."""

    batch_size: int = 1000
    max_attempts: int = 10
    backoff_s: int = 30
    backoff_max_s: int = 3600

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliverySettings:
        """Read the settings from the application's configuration."""
        return cls(
            batch_size=config["OUTBOX_BATCH_SIZE"],
            max_attempts=config["OUTBOX_MAX_ATTEMPTS"],
            backoff_s=config["OUTBOX_BACKOFF_S"],
            backoff_max_s=config["OUTBOX_BACKOFF_MAX_S"],
        )


@dataclass
class DeliveryResult:
    """Row counts of one run."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    parked: int = 0
    deferred: int = 0
    dropped: int = 0


OUTBOX = OutboxTable.named("outbox")

#: A claimed row's sample: installation, node, time.
_Key = tuple[int, uuid.UUID, datetime]


def _no_checkpoint() -> None:
    """Keep everything in the caller's one transaction (tests, ``run-once`` helpers)."""


@dataclass
class _Run(Ledger):
    """The ledger of a publishers' run, which also drops rows unsent."""

    tally: DeliveryResult
    checkpoint: Callable[[], None] = _no_checkpoint

    def dropped(self, ids: list[int], why: str) -> None:
        self.session.execute(q.DROP, {"ids": ids})
        self.tally.dropped += len(ids)
        log.info("outbox: dropped %d rows unsent: %s", len(ids), why)


def deliver(
    session: Session,
    actor: Actor,
    publishers: Sequence[Publisher],
    settings: DeliverySettings,
    *,
    now: datetime | None = None,
    checkpoint: Callable[[], None] = _no_checkpoint,
) -> DeliveryResult:
    """Deliver the due outbox rows of ``publishers`` once.

    Args:
        session: the job's session; rows stay locked until it commits.
        actor: must be SYSTEM.
        publishers: the enabled publishers (rows of others stay pending).
        settings: batch size, attempts and back-off.
        now: the run's clock; the current time by default.
        checkpoint: called once each registration and each installation's
            outcome is booked; the job passes its session's ``commit``, so a
            process that dies mid-run forgets at most the batch in flight
            (otherwise it sent again every batch the platforms had accepted,
            and created their boxes again). Each installation's rows are
            locked again before they are sent, as a commit releases the claim.

    Returns:
        Row counts: claimed, delivered, failed, parked, deferred, dropped.

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the jobs process delivers the outbox.")
    run = _Run(session, OUTBOX, settings, now or utcnow(), DeliveryResult(), checkpoint)
    by_name = {p.name: p for p in publishers}
    if not by_name:
        return run.tally
    rows = session.execute(
        q.CLAIM,
        {"names": list(by_name), "now": run.now, "limit": settings.batch_size},
    ).all()
    run.tally.claimed = len(rows)
    rows = _behind_none(run, rows)
    if not rows:
        return run.tally
    installations = _installations(session, {r.installation_id for r in rows})
    samples = _samples(session, rows)
    registrations = _registrations(session, {r.installation_id for r in rows})
    unreachable: set[str] = set()
    for (name, inst_id), group in groupby(sorted(rows, key=_group), key=_group):
        batch_rows = sorted(group, key=lambda r: r.time)
        ids = [r.id for r in batch_rows]
        if name in unreachable:
            run.tally.deferred += len(ids)
            continue
        batch_rows = _lock_again(session, batch_rows)
        ids = [r.id for r in batch_rows]
        info = installations.get(inst_id)
        if info is None:
            run.dropped(ids, f"installation {inst_id} is no longer public")
            continue
        gone = [r.id for r in batch_rows if _key(r) not in samples]
        if gone:
            run.dropped(gone, "the samples are gone or no longer the installation's")
        kept = [r for r in batch_rows if _key(r) in samples]
        if kept and not _send(run, by_name[name], info, registrations, kept, samples):
            unreachable.add(name)
        run.checkpoint()
    return run.tally


def _behind_none(run: _Run, rows: Sequence[Row[Any]]) -> list[Row[Any]]:
    """The claimed ``rows`` that no older unsent row of their publisher and
    installation waits behind (in back-off, past the claim's limit, or taken by
    another run).

    The others are held back until that older row is due, so that each
    installation's samples reach a platform in time order (a failed batch
    waited out its back-off while newer samples went ahead).
    """
    if not rows:
        return []
    waiting = {
        (w.publisher, w.installation_id): w
        for w in run.session.execute(
            q.WAITING,
            {
                "names": list({r.publisher for r in rows}),
                "installations": list({r.installation_id for r in rows}),
                "claimed": [r.id for r in rows],
            },
        )
    }
    held: dict[datetime, list[int]] = {}
    free = []
    for row in rows:
        older = waiting.get(_group(row))
        if older is not None and row.time > older.first_time:
            held.setdefault(older.due_at, []).append(row.id)
        else:
            free.append(row)
    for due_at, ids in held.items():
        run.session.execute(q.HOLD_BACK, {"ids": ids, "until": max(due_at, run.now)})
        run.tally.deferred += len(ids)
    return free


def _lock_again(session: Session, rows: list[Row[Any]]) -> list[Row[Any]]:
    """The ``rows`` still due and not taken by another run since a checkpoint."""
    if not rows:
        return rows
    held = set(session.scalars(q.LOCK_AGAIN, {"ids": [r.id for r in rows]}))
    return [r for r in rows if r.id in held]


def _group(row: Row[Any]) -> tuple[str, int]:
    return row.publisher, row.installation_id


def _send(
    run: _Run,
    publisher: Publisher,
    info: InstallationInfo,
    registrations: dict[tuple[str, int], Registration],
    rows: list[Row[Any]],
    samples: dict[_Key, SampleOut],
) -> bool:
    """Register if needed and publish ``rows``; False when the platform is unreachable."""
    pending = [r.id for r in rows]
    try:
        registration = registrations.get((publisher.name, info.id))
        if registration is None and publisher.needs_registration:
            registration = _register(run.session, publisher, info)
            registrations[(publisher.name, info.id)] = registration
            run.checkpoint()  # the remote object exists now: never create it twice
        for chunk in _chunks(rows, publisher.max_batch):
            batch = Batch(info, registration, [samples[_key(r)] for r in chunk])
            publisher.publish(batch)
            done = [r.id for r in chunk]
            run.delivered(done)
            run.checkpoint()
            pending = pending[len(done) :]
    except PublishError as exc:
        log.warning("outbox: %s, installation %d: %s", publisher.name, info.id, exc)
        run.failed(pending, exc, permanent=exc.permanent)
        return not exc.unreachable
    except Exception as exc:
        log.exception("outbox: %s failed on installation %d", publisher.name, info.id)
        error = PublishError(f"{publisher.name}: {type(exc).__name__}")
        run.failed(pending, error, permanent=error.permanent)
    return True


def _register(
    session: Session, publisher: Publisher, info: InstallationInfo
) -> Registration:
    """Register ``info`` on the platform and keep the answer.

    Raises:
        PublishError: permanent when the platform's answer cannot be kept (an
            id already given to another installation, one longer than the column
            or with a NUL): kept anyway, it would abort the run, and every run
            would create another remote object; used, it would mix installations.
    """
    registration = publisher.register(info)
    try:
        with session.begin_nested():  # a refused row must not abort the run
            session.add(
                PublisherRegistration(
                    publisher=publisher.name,
                    installation_id=info.id,
                    remote_id=registration.remote_id,
                    remote_meta=dict(registration.meta),
                )
            )
    except IntegrityError:
        raise PublishError(
            f"{publisher.name}: the platform registered installation {info.id} as "
            f"{registration.remote_id[:100]!r}, which another installation already "
            "has; remove the duplicate on the platform, then retry the parked rows",
            permanent=True,
        ) from None
    except DataError:
        raise PublishError(
            f"{publisher.name}: the platform's id for installation {info.id} cannot "
            "be stored (longer than 100 characters or holding a NUL); check that "
            "the publisher's URL settings point at the platform itself",
            permanent=True,
        ) from None
    log.info(
        "outbox: registered installation %d on %s as %s",
        info.id,
        publisher.name,
        registration.remote_id,
    )
    return registration


def _chunks(rows: list[Row[Any]], size: int) -> Iterator[list[Row[Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _installations(session: Session, ids: set[int]) -> dict[int, InstallationInfo]:
    rows = session.execute(q.INSTALLATIONS, {"ids": list(ids)}).mappings()
    return {row["id"]: InstallationInfo(**row) for row in rows}


def _key(row: Row[Any]) -> _Key:
    return row.installation_id, row.node_id, row.time


def _samples(session: Session, rows: Sequence[Row[Any]]) -> dict[_Key, SampleOut]:
    """The samples of ``rows`` that are still their installation's public ones."""
    found = session.execute(
        q.SAMPLES,
        {
            "installations": [r.installation_id for r in rows],
            "nodes": [r.node_id for r in rows],
            "times": [r.time for r in rows],
        },
    ).mappings()
    return {
        (s["installation_id"], s["node_id"], s["time"]): SampleOut(
            s["node_id"],
            s["time"],
            s["co2_ppm"],
            s["temperature_celsius"],
            s["rel_humidity_percent"],
        )
        for s in found
    }


def _registrations(
    session: Session, installation_ids: set[int]
) -> dict[tuple[str, int], Registration]:
    found = session.execute(
        text(
            "SELECT publisher, installation_id, remote_id, remote_meta "
            "FROM publisher_registrations WHERE installation_id = ANY(:ids)"
        ),
        {"ids": list(installation_ids)},
    )
    return {
        (r.publisher, r.installation_id): Registration(r.remote_id, r.remote_meta)
        for r in found
    }
