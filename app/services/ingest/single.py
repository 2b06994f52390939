"""Managair-compatible single-sample ingest: 201 stored, 200 identical, 409 different.

The common case, a new sample of a node the caller may post for, is one
statement: ``INSERT ... SELECT FROM nodes ... ON CONFLICT DO NOTHING``. Only when
nothing was inserted does a second query find out why (unknown node, another
organization's node, the same sample again, or a different one at that time).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.errors import (
    ConflictError,
    ErrorDetail,
    ForbiddenError,
    ValidationError,
)
from app.jsonapi.exceptions import json_pointer
from app.services.ingest import driver
from app.services.ingest.credentials import IngestScope
from app.services.ingest.store import enqueue_keys

NODE_POINTER = "/data/relationships/node"
VALUES = (
    "co2_ppm",
    "temperature_celsius",
    "rel_humidity_percent",
    "measurement_status",
)

# Run on the driver (``%(name)s`` placeholders): see ``driver``.
_SCOPE = {False: "", True: " AND n.owner_id = %(org)s"}
_INSERT = """
INSERT INTO samples (node_id, time, co2_ppm, temperature_celsius,
                     rel_humidity_percent, measurement_status)
SELECT n.id, %(time)s, %(co2_ppm)s::smallint, %(temperature_celsius)s::numeric,
       %(rel_humidity_percent)s::smallint, %(measurement_status)s::text
FROM nodes AS n
WHERE n.id = %(node_id)s{scope}
ON CONFLICT (node_id, time) DO NOTHING
"""
_INSERTS = {scoped: _INSERT.format(scope=sql) for scoped, sql in _SCOPE.items()}
_EXISTING = """
SELECT n.owner_id, s.time IS NOT NULL AS stored, s.co2_ppm, s.temperature_celsius,
       s.rel_humidity_percent, s.measurement_status
FROM nodes AS n
LEFT JOIN samples AS s ON s.node_id = n.id AND s.time = %(time)s
WHERE n.id = %(node_id)s
"""


@dataclass(frozen=True)
class SampleInput:
    """One validated sample."""

    node_id: uuid.UUID
    timestamp_s: int
    co2_ppm: int
    temperature_celsius: Decimal | None = None
    rel_humidity_percent: int | None = None
    measurement_status: str = "M"

    @property
    def time(self) -> datetime:
        """The sample time as the database stores it."""
        return datetime.fromtimestamp(self.timestamp_s, UTC)


@dataclass(frozen=True)
class IngestResult:
    """The stored sample and whether this request stored it (False: it was there)."""

    sample: SampleInput
    created: bool


def insert_statement(
    scope: IngestScope, sample: SampleInput
) -> tuple[str, dict[str, Any]]:
    """The one statement that stores ``sample`` if it is new and in ``scope``.

    Run on the driver (``%(name)s`` placeholders); it affects one row exactly when
    it stored the sample, none when the node is unknown or out of scope or the
    node already has a sample at that time.
    """
    params = {
        "node_id": sample.node_id,
        "time": sample.time,
        "org": scope.organization_id,
        **{name: getattr(sample, name) for name in VALUES},
    }
    return _INSERTS[scope.organization_id is not None], params


def ingest_sample(
    session: Session,
    scope: IngestScope,
    sample: SampleInput,
    publishers: Sequence[str] = (),
) -> IngestResult:
    """Store one sample unless exactly this sample is stored already.

    Args:
        session: the request's transaction.
        scope: the nodes the caller may post for.
        sample: the validated sample.
        publishers: enabled publishers; a stored public sample is queued for them.

    Returns:
        The sample and whether it was stored now.

    Raises:
        ValidationError: the node does not exist (pointer to the relationship).
        ForbiddenError: the node belongs to an organization the token is not for.
        ConflictError: another sample of the node at that time is stored; one
            error per differing attribute.
    """
    sql, params = insert_statement(scope, sample)
    if driver.execute(session, sql, params):
        enqueue_keys(session, [(sample.node_id, sample.time)], publishers)
        return IngestResult(sample, created=True)
    row = driver.fetch_one(session, _EXISTING, params)
    if row is None:
        detail = f'Invalid pk "{sample.node_id}" - object does not exist.'
        raise ValidationError(
            "", errors=[ErrorDetail(detail, NODE_POINTER, "does_not_exist")]
        )
    if not scope.allows(row.owner_id):
        raise ForbiddenError(
            "The ingest token may not post samples for this node: it belongs "
            "to another organization.",
            NODE_POINTER,
        )
    if not row.stored:
        raise ConflictError(
            "The sample could not be stored; retry.", json_pointer("data")
        )
    differing = [name for name in VALUES if getattr(row, name) != getattr(sample, name)]
    if differing:
        raise _conflict(row, sample, differing)
    return IngestResult(sample, created=False)


def _conflict(row: Any, sample: SampleInput, differing: list[str]) -> ConflictError:
    details = [
        ErrorDetail(
            f"A sample of this node at {sample.timestamp_s} is stored with "
            f"{name} = {getattr(row, name)}; this request sends "
            f"{getattr(sample, name)}. Nothing was changed.",
            json_pointer("data", "attributes", name),
        )
        for name in differing
    ]
    return ConflictError("", errors=details)
