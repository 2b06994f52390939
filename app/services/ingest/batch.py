"""Batch ingest: validate streamed records, stage them with COPY, store them at once.

Records are validated one by one as they are read (``validation``), good ones go
to the staging table, bad ones are counted and the first ``LISTED`` problems kept;
memory does not grow with the batch. ``store`` then moves everything in one
statement and classifies what was not stored. The caller's transaction makes the
batch all-or-nothing should the body turn out unreadable half-way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.services.ingest import store, validation
from app.services.ingest.credentials import IngestScope
from app.services.ingest.errors import BatchAbandonedError, BodyTooLargeError
from app.services.ingest.store import NULL, StagingWriter
from app.services.ingest.validation import FieldError, Limits

#: The fields of a raw record, in the order the readers yield them.
FIELDS = (
    "node_id",
    "eui64",
    "timestamp_s",
    "time",
    "co2_ppm",
    "temperature_celsius",
    "rel_humidity_percent",
    "measurement_status",
)
#: One record as read: raw values in ``FIELDS`` order, or why it could not be read.
RawRecord = tuple[Any, ...] | str


LISTED = 100
NODE_CACHE = 4096
MEMO_MAX = 20_000
#: The most records one batch may hold: beyond, it is refused whole (413, nothing
#: stored). A few seconds of work; larger uploads are split into several batches.
MAX_RECORDS = 200_000
#: The most records of one batch that may be rejected while it is read: beyond,
#: the batch is abandoned (400, nothing stored). Such a body is not the data it was
#: meant to be, and reading it to the end only burns the worker's time.
MAX_REJECTED = 10_000

_NO_NODE = FieldError("node_id", "Give node_id or eui64.", "required")
_NO_TIME = FieldError("timestamp_s", "Give timestamp_s or time.", "required")


@dataclass(frozen=True)
class Problem:
    """Why a record was not stored: its 1-based row, the field, a code and a text."""

    row: int
    field: str | None
    code: str
    detail: str


@dataclass(frozen=True)
class BatchReport:
    """The fate of every record of a batch; problems listed up to ``LISTED`` each."""

    received: int
    stored: int
    duplicate: int
    conflicting: int
    rejected: int
    rejections: tuple[Problem, ...] = ()
    conflicts: tuple[Problem, ...] = ()


@dataclass
class _Rejections:
    rows: int = 0
    listed: list[Problem] = field(default_factory=list)

    def add(self, row: int, problems: Iterable[tuple[str | None, str, str]]) -> None:
        """Count a rejected record and list its problems while fewer than ``LISTED``.

        Raises:
            BatchAbandonedError: more than ``MAX_REJECTED`` records were rejected.
        """
        self.rows += 1
        if len(self.listed) < LISTED:
            for field_name, code, detail in problems:
                if len(self.listed) < LISTED:
                    self.listed.append(Problem(row, field_name, code, detail))
        if self.rows > MAX_REJECTED:
            first = self.listed[0]
            where = f"row {first.row}" + (f", {first.field}" if first.field else "")
            raise BatchAbandonedError(
                f"More than {MAX_REJECTED} records of this batch were rejected, so "
                f"it was abandoned and nothing was stored. The first problem "
                f"({where}): {first.detail} Correct the records and send the batch "
                "again.",
                pointer="",
            )


class _Texts:
    """Validated values of one field and their COPY text, by type and value.

    Batches repeat the same few hundred values per field (CO2 steps, tenths of a
    degree, whole percent), so after the first sight a value costs a dict lookup;
    so does a value refused before (its error is remembered, not raised again).
    Keyed by type first, so that ``True`` never passes for ``1``.
    """

    def __init__(self, check: Any) -> None:
        self._check = check
        self._known: dict[type, dict[Any, str]] = {}
        self._refused: dict[type, dict[Any, FieldError]] = {}

    def get(self, value: Any) -> str | None:
        """Return the text of an already validated value, or None."""
        known = self._known.get(type(value))
        return None if known is None else known.get(value)

    def text(self, value: Any) -> str | FieldError:
        """Validate ``value``: its COPY text, or why it is refused (remembered when
        hashable)."""
        kind = type(value)
        known = self._known.get(kind)
        if known is not None and value in known:
            return known[value]
        refused = self._refused.get(kind)
        if refused is not None and value in refused:
            return refused[value]
        # Only these are hashable (and equal only to their own kind).
        memo = isinstance(value, str | int | Decimal | None)
        try:
            checked = self._check(value)
        except FieldError as exc:
            if memo:
                refused = self._refused.setdefault(kind, {})
                if len(refused) < MEMO_MAX:
                    refused[value] = exc
            return exc
        text = NULL if checked is None else str(checked)
        if memo:
            known = self._known.setdefault(kind, {})
            if len(known) < MEMO_MAX:
                known[value] = text
        return text


class RowStager:
    """Validates raw records and stages the good ones as COPY lines."""

    def __init__(self, writer: StagingWriter, limits: Limits) -> None:
        self._writer = writer
        self._limits = limits
        self._latest = limits.latest_s
        self._nodes: dict[Any, str] = {}
        self._co2 = _Texts(validation.co2_ppm)
        self._temperature = _Texts(validation.temperature_celsius)
        self._humidity = _Texts(validation.rel_humidity_percent)
        self._status = _Texts(validation.measurement_status)
        self.rejections = _Rejections()
        self.received = 0

    def add(self, record: RawRecord) -> None:
        """Validate one record (tuple in ``FIELDS`` order or row error).

        Raises:
            BodyTooLargeError: the batch holds more than ``MAX_RECORDS`` records.
            BatchAbandonedError: more than ``MAX_REJECTED`` of them were rejected.
        """
        self.received += 1
        row = self.received
        if row > MAX_RECORDS:
            raise BodyTooLargeError(
                f"The batch holds more than {MAX_RECORDS} records, so nothing was "
                f"stored; split it into batches of at most {MAX_RECORDS}.",
                pointer="",
                header=None,
            )
        if isinstance(record, str):
            self.rejections.add(row, [(None, "invalid", record)])
            return
        line = self._known_line(row, record)
        if line is not None:
            self._writer.add(line)
        else:
            self._checked(row, record)

    def _known_line(self, row: int, record: tuple[Any, ...]) -> str | None:
        """The COPY line of a record made only of already seen values, else None."""
        node_id, eui64, ts_raw, time_raw, co2, temp, hum, status = record
        if eui64 is not None or (time_raw is not None and time_raw != ""):
            return None
        if type(node_id) is not str:
            return None
        node = self._nodes.get(node_id)
        kind = type(ts_raw)
        if node is None or (kind is not str and kind is not int):
            return None
        try:
            ts = int(ts_raw)
        except ValueError:
            return None
        texts = (
            self._co2.get(co2),
            self._temperature.get(temp),
            self._humidity.get(hum),
            self._status.get(status),
        )
        if not 0 <= ts <= self._latest or None in texts:
            return None
        return f"{row}\t{node}\t{NULL}\t{ts}\t" + "\t".join(texts) + "\n"  # type: ignore[arg-type]

    def _checked(self, row: int, record: tuple[Any, ...]) -> None:
        """Validate every field of a record; stage it or record its problems."""
        node_id, eui64, ts_raw, time_raw, co2, temp, hum, status = record
        errors: list[FieldError] = []
        node, eui = self._node(node_id, eui64, errors)
        ts = self._time(ts_raw, time_raw, errors)
        texts = []
        for texts_of, value in (
            (self._co2, co2),
            (self._temperature, temp),
            (self._humidity, hum),
            (self._status, status),
        ):
            text = texts_of.text(value)
            if isinstance(text, FieldError):
                errors.append(text)
            else:
                texts.append(text)
        if errors:
            self.rejections.add(row, [(e.field, e.code, e.detail) for e in errors])
            return
        self._writer.add(
            f"{row}\t{node}\t{eui}\t{ts}\t" + "\t".join(texts) + "\n",
            by_eui=eui != NULL,
        )

    def _node(
        self, node_id: Any, eui64: Any, errors: list[FieldError]
    ) -> tuple[str, str]:
        key = node_id if node_id is not None and node_id != "" else None
        try:
            if key is not None:
                cached = self._nodes.get(key) if type(key) is str else None
                if cached is None:
                    cached = str(validation.node_uuid(key))
                    self._remember(key, cached)
                return cached, NULL
            if eui64 is None or eui64 == "":
                errors.append(_NO_NODE)  # shared: raising costs more than the rest
                return NULL, NULL
            return NULL, validation.eui64(eui64)
        except FieldError as exc:
            errors.append(exc)
            return NULL, NULL

    def _remember(self, key: Any, value: str) -> None:
        if type(key) is str:
            if len(self._nodes) >= NODE_CACHE:
                self._nodes.clear()
            self._nodes[key] = value

    def _time(self, ts_raw: Any, time_raw: Any, errors: list[FieldError]) -> int:
        """Epoch seconds from ``timestamp_s`` or ``time``; a blank cell is absent.

        A record that gives both must give the same second (``time`` rounded).
        """
        given_ts = not validation.blank(ts_raw)
        given_time = not validation.blank(time_raw)
        if not given_ts and not given_time:
            errors.append(_NO_TIME)
            return 0
        found: list[int] = []
        for given, check, raw in (
            (given_ts, validation.timestamp_s, ts_raw),
            (given_time, validation.iso_time, time_raw),
        ):
            if given:
                try:
                    found.append(check(raw, self._limits))
                except FieldError as exc:
                    errors.append(exc)
        if len(found) == 2 and found[0] != found[1]:
            errors.append(
                FieldError(
                    "time",
                    f"timestamp_s ({found[0]}) and time ({found[1]} s) name different "
                    "moments; give one of them, or both for the same second.",
                    "mismatch",
                )
            )
        return found[0] if found else 0


def ingest_batch(
    session: Session,
    scope: IngestScope,
    records: Iterable[RawRecord],
    limits: Limits,
    publishers: Sequence[str] = (),
) -> BatchReport:
    """Store the valid records of a batch; report what became of every record.

    Args:
        session: the request's transaction (never committed here).
        scope: the nodes the caller may post for.
        records: raw records (streamed; ``app.blueprints.ingest.readers``).
        limits: the accepted time window.
        publishers: enabled publishers for the outbox.

    Returns:
        Counts of received, stored, duplicate, conflicting and rejected records,
        with the first ``LISTED`` rejections and conflicts.

    Raises:
        BadBodyError: the body became unreadable (nothing is stored: the caller
            rolls back).
        BodyTooLargeError: the body passed ``INGEST_MAX_BODY_BYTES``.
    """
    with store.staging(session) as writer:
        stager = RowStager(writer, limits)
        for record in records:
            stager.add(record)
    outcome = store.store_staged(session, scope, writer.stats, publishers, LISTED)
    rejections = stager.rejections
    node_problems = [
        Problem(
            p.row,
            p.field,
            "forbidden" if p.exists else "does_not_exist",
            "This node belongs to another organization than the token."
            if p.exists
            else "No node with this id."
            if p.field == "node_id"
            else "No node with this DevEUI.",
        )
        for p in outcome.listed_node_problems
    ]
    listed = sorted(rejections.listed + node_problems, key=lambda p: p.row)[:LISTED]
    conflicts = tuple(
        Problem(
            c.row,
            c.fields[0] if c.fields else None,
            "conflict",
            "A sample of this node at this time is stored with other values: "
            + ", ".join(c.fields),
        )
        for c in outcome.listed_conflicts
    )
    return BatchReport(
        received=stager.received,
        stored=outcome.stored,
        duplicate=outcome.duplicate,
        conflicting=outcome.conflicting,
        rejected=rejections.rows + outcome.node_problems,
        rejections=tuple(listed),
        conflicts=conflicts,
    )
