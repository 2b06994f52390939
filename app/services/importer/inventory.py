"""Managair's inventory and samples (Django fixture rows ``core.*``) into our tables.

One upsert per Django model, described by :data:`COLUMNS` (the table and how each
column is taken from a fixture row ``{"model", "pk", "fields"}``), returning how
many rows it created, changed and left unchanged; node models also link their
quantities, and samples are inserted, never updated. Primary keys are kept, so relationships between the files hold; rows
are upserted by key (samples: inserted, duplicates skipped), so importing twice
changes nothing. Run them in :data:`ORDER` after users, organizations and
memberships. Epoch seconds become ``timestamptz``; the open end 2147483647
becomes ``NULL``; EUIs are upper-cased.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Table, delete, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Installation,
    Node,
    NodeModel,
    Protocol,
    Quantity,
    Room,
    Sample,
    Site,
)
from app.models.devices import node_model_quantities
from app.services.importer.registry import (
    SHOWN_CONFLICTS,
    FixtureImportError,
    UpsertCounts,
    table_of,
    upsert_rows,
)
from app.services.series.epoch import MAX_MANAGAIR_EPOCH_S, end_from_epoch, from_epoch

Row = Mapping[str, Any]
#: how one column's value is taken from a fixture row
Convert = Callable[[Row], Any]
SAMPLE_BATCH = 5000


def _pk(row: Row) -> Any:
    return row["pk"]


def _node_pk(row: Row) -> uuid.UUID:
    pk = row["pk"]
    try:
        return uuid.UUID(str(pk))
    except ValueError:
        raise FixtureImportError(
            f"{_where(row)}: the primary key is no UUID."
        ) from None


def _required(name: str) -> Convert:
    return lambda row: _get(row, name)


def _optional(name: str, default: Any = None) -> Convert:
    return lambda row: f(row).get(name, default)


def _number(name: str) -> Convert:
    return lambda row: _decimal(row, name)


def _eui(row: Row) -> str:
    return str(_get(row, "eui64")).strip().upper()


def _installed_node(row: Row) -> uuid.UUID:
    return _uuid(row, "node")


def _from_time(row: Row) -> Any:
    return from_epoch(_epoch(row, "from_timestamp_s"))


def _to_time(row: Row) -> Any:
    if f(row).get("to_timestamp_s") is None:
        return None
    return end_from_epoch(_epoch(row, "to_timestamp_s"))


def _is_public(row: Row) -> bool:
    return bool(f(row).get("is_public", False))


def _image(row: Row) -> str | None:
    """Managair stores ``installation_images/<name>``; the file name is kept."""
    return (f(row).get("image") or "").rsplit("/", 1)[-1] or None


#: Django model label -> (table, column here -> its value from a fixture row).
#: Every model of the catalogue and inventory is the same upsert by id of its
#: converted columns; only what differs between them is listed here.
COLUMNS: dict[str, tuple[Table, Mapping[str, Convert]]] = {
    "core.quantity": (
        table_of(Quantity),
        {
            "id": _pk,
            "quantity": _required("quantity"),
            "base_unit": _required("base_unit"),
        },
    ),
    "core.nodeprotocol": (
        table_of(Protocol),
        {
            "id": _pk,
            "identifier": _required("identifier"),
            "num_uplink_msgs": _optional("num_uplink_msgs", 1),
            "num_downlink_msgs": _optional("num_downlink_msgs", 1),
        },
    ),
    "core.nodemodel": (
        table_of(NodeModel),
        {
            "id": _pk,
            **{
                k: _required(k)
                for k in ("name", "trade_name", "manufacturer", "sensor_type")
            },
        },
    ),
    "core.node": (
        table_of(Node),
        {
            "id": _node_pk,
            "eui64": _eui,
            "alias": _required("alias"),
            "description": _optional("description"),
            "protocol_id": _required("protocol"),
            "model_id": _required("model"),
            "owner_id": _required("owner"),
        },
    ),
    "core.address": (
        table_of(Address),
        {
            "id": _pk,
            "street1": _required("street1"),
            "street2": _optional("street2"),
            "zip": _required("zip"),
            "city": _required("city"),
            "latitude": _number("latitude"),
            "longitude": _number("longitude"),
        },
    ),
    "core.site": (
        table_of(Site),
        {
            "id": _pk,
            "name": _required("name"),
            "description": _optional("description"),
            "address_id": _required("address"),
            "operator_id": _required("operator"),
        },
    ),
    "core.room": (
        table_of(Room),
        {
            "id": _pk,
            "name": _required("name"),
            "description": _optional("description"),
            "size_sqm": _number("size_sqm"),
            "height_m": _number("height_m"),
            "max_occupancy": _optional("max_occupancy"),
            "site_id": _required("site"),
        },
    ),
    "core.roomnodeinstallation": (
        table_of(Installation),
        {
            "id": _pk,
            "node_id": _installed_node,
            "room_id": _required("room"),
            "from_time": _from_time,
            "to_time": _to_time,
            "description": _optional("description"),
            "is_public": _is_public,
            "image": _image,
        },
    ),
}


def importer(label: str) -> Callable[[Session, Sequence[Row]], UpsertCounts]:
    """The upsert of one catalogue or inventory model (see :data:`COLUMNS`).

    The importer moves the identity sequences past the imported ids once all
    models are loaded (:func:`app.services.importer.import_records`).
    """
    table, columns = COLUMNS[label]

    def load(session: Session, rows: Sequence[Row]) -> UpsertCounts:
        values = [{c: get(r) for c, get in columns.items()} for r in rows]
        return upsert_rows(session, table, values) if values else UpsertCounts()

    return load


def import_nodemodel(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.nodemodel`` rows with their quantities."""
    counts = importer("core.nodemodel")(session, rows)
    ids = [r["pk"] for r in rows]
    if ids:
        session.execute(
            delete(node_model_quantities).where(
                node_model_quantities.c.node_model_id.in_(ids)
            )
        )
    links = [
        {"node_model_id": r["pk"], "quantity_id": q}
        for r in rows
        for q in f(r).get("quantities", [])
    ]
    if links:
        session.execute(insert(node_model_quantities), links)
    return counts


def import_sample(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.sample`` rows; a sample already stored is skipped.

    Managair's sample ids are dropped: samples are keyed by node and time. A
    stored sample is never overwritten (it may have come from live ingest): one
    that differs from its record is kept as stored and counted as conflicting.
    """
    values = _sample_values(rows)
    table = table_of(Sample)
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["node_id", "time"])
        .returning(table.c.node_id, table.c.time)
    )
    tally = _SampleTally()
    for start in range(0, len(values), SAMPLE_BATCH):
        batch = values[start : start + SAMPLE_BATCH]
        # RETURNING counts what was stored: rowcount is not summed over executemany.
        stored = {(n, t) for n, t in session.execute(stmt, batch).all()}
        skipped = [
            (row, v)
            for row, v in zip(rows[start : start + SAMPLE_BATCH], batch, strict=True)
            if (v["node_id"], v["time"]) not in stored
        ]
        tally.add(len(stored), _differing_samples(session, skipped)[1])
    return tally.counts(len(values))


def preview_sample(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """What :func:`import_sample` would do, without writing: a dry run inserts no
    sample, as the write triggers' logs would consume their id sequences."""
    values = _sample_values(rows)
    tally = _SampleTally()
    for start in range(0, len(values), SAMPLE_BATCH):
        batch = values[start : start + SAMPLE_BATCH]
        pairs = list(zip(rows[start : start + SAMPLE_BATCH], batch, strict=True))
        present, differing = _differing_samples(session, pairs)
        keys = {
            (v["node_id"], v["time"]) for i, v in enumerate(batch) if i not in present
        }
        tally.add(len(keys), differing)
    return tally.counts(len(values))


class _SampleTally:
    """Samples created and conflicting over the batches, the first few named."""

    def __init__(self) -> None:
        self.created = self.conflicting = 0
        self.conflicts: list[str] = []

    def add(self, created: int, differing: Sequence[str]) -> None:
        self.created += created
        self.conflicting += len(differing)
        self.conflicts += differing[: SHOWN_CONFLICTS - len(self.conflicts)]

    def counts(self, total: int) -> UpsertCounts:
        return UpsertCounts(
            created=self.created,
            unchanged=total - self.created - self.conflicting,
            conflicting=self.conflicting,
            conflicts=tuple(self.conflicts),
        )


def _sample_values(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "node_id": _uuid(r, "node"),
            "time": from_epoch(_epoch(r, "timestamp_s")),
            "co2_ppm": _get(r, "co2_ppm"),
            "temperature_celsius": _decimal(r, "temperature_celsius"),
            "rel_humidity_percent": f(r).get("rel_humidity_percent"),
            "measurement_status": f(r).get("measurement_status") or "M",
        }
        for r in rows
    ]


#: Which of the given samples are stored (0-based position), and whether the
#: stored values differ, compared as PostgreSQL would store the given values
#: (the casts of the insert: an out-of-range value fails here as it would there).
_STORED = text(
    """
SELECT g.i - 1, (s.co2_ppm, s.temperature_celsius, s.rel_humidity_percent,
                 s.measurement_status::text)
                IS DISTINCT FROM (g.co2, g.temperature, g.humidity, g.status)
FROM unnest(CAST(:nodes AS uuid[]), CAST(:times AS timestamptz[]),
            CAST(:co2 AS smallint[]), CAST(:temperatures AS numeric(3, 1)[]),
            CAST(:humidities AS smallint[]), CAST(:statuses AS text[]))
     WITH ORDINALITY AS g(node_id, time, co2, temperature, humidity, status, i)
JOIN samples s ON s.node_id = g.node_id AND s.time = g.time
ORDER BY g.i
"""
)


def _differing_samples(
    session: Session, samples: Sequence[tuple[Row, Mapping[str, Any]]]
) -> tuple[set[int], list[str]]:
    """Which of ``samples`` (record, values) are stored (by index), and the names
    of those whose stored values differ: ``node <id> at <time> (<record>)``."""
    if not samples:
        return set(), []
    values = [v for _, v in samples]
    found = session.execute(
        _STORED,
        {
            "nodes": [v["node_id"] for v in values],
            "times": [v["time"] for v in values],
            "co2": [v["co2_ppm"] for v in values],
            "temperatures": [v["temperature_celsius"] for v in values],
            "humidities": [v["rel_humidity_percent"] for v in values],
            "statuses": [str(v["measurement_status"]) for v in values],
        },
    ).all()
    return {i for i, _ in found}, [
        f"node {samples[i][1]['node_id']} at "
        f"{samples[i][1]['time'].isoformat().replace('+00:00', 'Z')} "
        f"({_where(samples[i][0])})"
        for i, differs in found
        if differs
    ]


#: Django model label → importer, in the order the rows must be loaded.
ORDER: tuple[tuple[str, Callable[[Session, Sequence[Row]], UpsertCounts]], ...] = (
    ("core.quantity", importer("core.quantity")),
    ("core.nodeprotocol", importer("core.nodeprotocol")),
    ("core.nodemodel", import_nodemodel),
    ("core.node", importer("core.node")),
    ("core.address", importer("core.address")),
    ("core.site", importer("core.site")),
    ("core.room", importer("core.room")),
    ("core.roomnodeinstallation", importer("core.roomnodeinstallation")),
    ("core.sample", import_sample),
)
IMPORTERS = dict(ORDER)


def f(row: Row) -> Mapping[str, Any]:
    """Return the ``fields`` of a fixture row."""
    fields: Mapping[str, Any] = row["fields"]
    return fields


def _where(row: Row) -> str:
    return f"{row['model']} pk {row['pk']} ({row.get('source', 'fixture')})"


def _bad(row: Row, name: str, what: str) -> FixtureImportError:
    return FixtureImportError(f"{_where(row)}: field {name!r} {what}.")


def _get(row: Row, name: str) -> Any:
    try:
        return f(row)[name]
    except KeyError:
        raise _bad(row, name, "is missing") from None


def _uuid(row: Row, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(_get(row, name)))
    except ValueError:
        raise _bad(row, name, "is no node id (a UUID)") from None


def _decimal(row: Row, name: str) -> Decimal | None:
    value = f(row).get(name)
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite():
        raise _bad(row, name, "must be a number")
    return number


def _epoch(row: Row, name: str) -> int:
    return epoch_seconds(_where(row), name, _get(row, name))


def epoch_seconds(where: str, name: str, value: Any) -> int:
    """Epoch seconds as Managair holds them: whole seconds from 0 to 2**31 - 1,
    the range ingest and the API take (years past 2038 or before 1970 are
    corrupt values, and fractions would give two samples one ``timestamp_s``).

    Raises:
        FixtureImportError: names ``where`` (the record) and the field.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FixtureImportError(
            f"{where}: field {name!r} must be whole epoch seconds."
        )
    if not 0 <= value <= MAX_MANAGAIR_EPOCH_S:
        raise FixtureImportError(
            f"{where}: field {name!r} must lie between 0 and {MAX_MANAGAIR_EPOCH_S}."
        )
    return value
