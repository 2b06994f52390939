"""Managair's inventory and samples (Django fixture rows ``core.*``) into our tables.

One function per Django model, ``import_<model>(session, rows)``, each taking the
fixture rows of that model (``{"model", "pk", "fields"}``) and returning how many
it created, changed and left unchanged. Primary keys are kept, so relationships between the files hold; rows
are upserted by key (samples: inserted, duplicates skipped), so importing twice
changes nothing. Run them in :data:`ORDER` after users, organizations and
memberships. Epoch seconds become ``timestamptz``; the open end 2147483647
becomes ``NULL``; EUIs are upper-cased.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete
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
from app.services.importer.registry import UpsertCounts, reset_identity, upsert_rows
from app.services.series.epoch import OPEN_END_S, end_from_epoch, from_epoch

Row = Mapping[str, Any]
SAMPLE_BATCH = 5000


def import_quantity(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.quantity`` rows."""
    return _upsert(
        session,
        Quantity.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                "quantity": f(r)["quantity"],
                "base_unit": f(r)["base_unit"],
            }
            for r in rows
        ],
    )


def import_nodeprotocol(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.nodeprotocol`` rows."""
    return _upsert(
        session,
        Protocol.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                "identifier": f(r)["identifier"],
                "num_uplink_msgs": f(r).get("num_uplink_msgs", 1),
                "num_downlink_msgs": f(r).get("num_downlink_msgs", 1),
            }
            for r in rows
        ],
    )


def import_nodemodel(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.nodemodel`` rows with their quantities."""
    counts = _upsert(
        session,
        NodeModel.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                **{
                    k: f(r)[k]
                    for k in ("name", "trade_name", "manufacturer", "sensor_type")
                },
            }
            for r in rows
        ],
    )
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


def import_node(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.node`` rows (EUIs upper-cased)."""
    return _upsert(
        session,
        Node.__table__,  # type: ignore[arg-type]
        [
            {
                "id": uuid.UUID(str(r["pk"])),
                "eui64": f(r)["eui64"].strip().upper(),
                "alias": f(r)["alias"],
                "description": f(r).get("description"),
                "protocol_id": f(r)["protocol"],
                "model_id": f(r)["model"],
                "owner_id": f(r)["owner"],
            }
            for r in rows
        ],
        sequence=False,
    )


def import_address(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.address`` rows."""
    return _upsert(
        session,
        Address.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                "street1": f(r)["street1"],
                "street2": f(r).get("street2"),
                "zip": f(r)["zip"],
                "city": f(r)["city"],
                "latitude": _decimal(f(r).get("latitude")),
                "longitude": _decimal(f(r).get("longitude")),
            }
            for r in rows
        ],
    )


def import_site(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.site`` rows."""
    return _upsert(
        session,
        Site.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                "name": f(r)["name"],
                "description": f(r).get("description"),
                "address_id": f(r)["address"],
                "operator_id": f(r)["operator"],
            }
            for r in rows
        ],
    )


def import_room(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.room`` rows."""
    return _upsert(
        session,
        Room.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                "name": f(r)["name"],
                "description": f(r).get("description"),
                "size_sqm": _decimal(f(r).get("size_sqm")),
                "height_m": _decimal(f(r).get("height_m")),
                "max_occupancy": f(r).get("max_occupancy"),
                "site_id": f(r)["site"],
            }
            for r in rows
        ],
    )


def import_roomnodeinstallation(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.roomnodeinstallation`` rows (open end 2147483647 → NULL)."""
    return _upsert(
        session,
        Installation.__table__,  # type: ignore[arg-type]
        [
            {
                "id": r["pk"],
                "node_id": uuid.UUID(str(f(r)["node"])),
                "room_id": f(r)["room"],
                "from_time": from_epoch(f(r)["from_timestamp_s"]),
                "to_time": end_from_epoch(f(r).get("to_timestamp_s", OPEN_END_S)),
                "description": f(r).get("description"),
                "is_public": bool(f(r).get("is_public", False)),
                "image": (f(r).get("image") or "").rsplit("/", 1)[-1] or None,
            }
            for r in rows
        ],
    )


def import_sample(session: Session, rows: Sequence[Row]) -> UpsertCounts:
    """Import ``core.sample`` rows; a sample already stored is skipped.

    Managair's sample ids are dropped: samples are keyed by node and time.
    """
    values = [
        {
            "node_id": uuid.UUID(str(f(r)["node"])),
            "time": from_epoch(f(r)["timestamp_s"]),
            "co2_ppm": f(r)["co2_ppm"],
            "temperature_celsius": _decimal(f(r).get("temperature_celsius")),
            "rel_humidity_percent": f(r).get("rel_humidity_percent"),
            "measurement_status": f(r).get("measurement_status") or "M",
        }
        for r in rows
    ]
    table: Table = Sample.__table__  # type: ignore[assignment]
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["node_id", "time"])
        .returning(table.c.node_id)
    )
    written = 0
    for start in range(0, len(values), SAMPLE_BATCH):
        # RETURNING counts what was stored: rowcount is not summed over executemany.
        written += len(
            session.execute(stmt, values[start : start + SAMPLE_BATCH]).all()
        )
    return UpsertCounts(created=written, unchanged=len(values) - written)


#: Django model label → importer, in the order the rows must be loaded.
ORDER: tuple[tuple[str, Callable[[Session, Sequence[Row]], UpsertCounts]], ...] = (
    ("core.quantity", import_quantity),
    ("core.nodeprotocol", import_nodeprotocol),
    ("core.nodemodel", import_nodemodel),
    ("core.node", import_node),
    ("core.address", import_address),
    ("core.site", import_site),
    ("core.room", import_room),
    ("core.roomnodeinstallation", import_roomnodeinstallation),
    ("core.sample", import_sample),
)
IMPORTERS = dict(ORDER)


def f(row: Row) -> Mapping[str, Any]:
    """Return the ``fields`` of a fixture row."""
    fields: Mapping[str, Any] = row["fields"]
    return fields


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _upsert(
    session: Session,
    table: Table,
    values: list[dict[str, Any]],
    sequence: bool = True,
) -> UpsertCounts:
    """Upsert by id with the registry's statement; keys were given, so move the
    identity past them (``sequence``). Returns what was created and changed."""
    if not values:
        return UpsertCounts()
    counts = upsert_rows(session, table, values)
    if sequence:
        reset_identity(session, table)
    return counts
