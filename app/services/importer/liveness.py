"""Loaders for what Managair kept about nodes and installations besides the inventory:
node fidelity (``core.nodefidelity``) and Stadtpuls registrations
(``stadtpuls_integration.stadpulssensor``, Managair's spelling).

Fidelity is carried over so the liveness page is right before the fidelity job
first runs here; Stadtpuls registrations so public installations keep posting to
the sensors they already have instead of registering new ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import NodeFidelity, PublisherRegistration
from app.services.importer.inventory import epoch_seconds
from app.services.importer.registry import (
    FixtureImportError,
    LoadResult,
    Record,
    register,
    table_of,
    upsert_rows,
)
from app.services.series.epoch import from_epoch

FIDELITY = table_of(NodeFidelity)
REGISTRATIONS = table_of(PublisherRegistration)
STADTPULS = "stadtpuls"


@register("core.nodefidelity", order=350, refs={"node": "core.node"})
def load_fidelity(session: Session, records: Sequence[Record]) -> LoadResult:
    """Import the latest liveness verdict of each node (its key is the node's).

    Raises:
        FixtureImportError: a field is missing or malformed.
    """
    rows = []
    for r in records:
        last_contact = r.fields.get("last_contact_s")
        rows.append(
            {
                "node_id": _uuid(r, r.fields.get("node", r.pk)),
                "fidelity": r.field("fidelity"),
                "last_contact": None
                if last_contact is None
                else _time(r, "last_contact_s", last_contact),
                "last_check": _time(r, "last_check_s", r.field("last_check_s")),
            }
        )
    return LoadResult.of(upsert_rows(session, FIDELITY, rows, key=("node_id",)))


@register(
    "stadtpuls_integration.stadpulssensor",
    order=360,
    tables=(REGISTRATIONS,),
    target=REGISTRATIONS,
    refs={"installation": "core.roomnodeinstallation"},
)
def load_stadtpuls(session: Session, records: Sequence[Record]) -> LoadResult:
    """Import Stadtpuls registrations as the ``stadtpuls`` publisher's.

    Raises:
        FixtureImportError: a field is missing or malformed.
    """
    rows = [
        {
            "id": r.pk,
            "publisher": STADTPULS,
            "installation_id": r.field("installation"),
            "remote_id": str(r.field("stadtpuls_sensor_id")),
            "registered_at": _time(r, "inserted_s", r.field("inserted_s")),
        }
        for r in records
    ]
    return LoadResult.of(upsert_rows(session, REGISTRATIONS, rows))


def _time(r: Record, name: str, value: object) -> datetime:
    return from_epoch(epoch_seconds(str(r), name, value))


def _uuid(r: Record, value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise FixtureImportError(f"{r}: {value!r} is not a node id.") from None
