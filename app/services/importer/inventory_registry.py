"""Register the inventory and sample loaders of :mod:`.inventory` with the importer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Table
from sqlalchemy.orm import Session

from app import models
from app.services.importer import inventory
from app.services.importer.registry import (
    LoadResult,
    Record,
    UpsertCounts,
    register,
    table_of,
)

_NODE_REFS = {
    "protocol": "core.nodeprotocol",
    "model": "core.nodemodel",
    "owner": "core.organization",
}
_SITE_REFS = {"address": "core.address", "operator": "core.organization"}
_INSTALLATION_REFS = {"node": "core.node", "room": "core.room"}

# label -> (order, target table, references); nodes (UUIDs) and samples (keyed by
# node and time) have no identity sequence to move past the imported ids
_SPECS: dict[str, tuple[int, Table | None, Mapping[str, str]]] = {
    "core.quantity": (200, table_of(models.Quantity), {}),
    "core.nodeprotocol": (210, table_of(models.Protocol), {}),
    "core.nodemodel": (
        220,
        table_of(models.NodeModel),
        {"quantities": "core.quantity"},
    ),
    "core.node": (300, table_of(models.Node), _NODE_REFS),
    "core.address": (310, table_of(models.Address), {}),
    "core.site": (320, table_of(models.Site), _SITE_REFS),
    "core.room": (330, table_of(models.Room), {"site": "core.site"}),
    "core.roomnodeinstallation": (
        340,
        table_of(models.Installation),
        _INSTALLATION_REFS,
    ),
    "core.sample": (900, None, {"node": "core.node"}),
}


def _adapt(
    write: Callable[[Session, Sequence[inventory.Row]], UpsertCounts],
) -> Callable[[Session, Sequence[Record]], LoadResult]:
    def load(session: Session, records: Sequence[Record]) -> LoadResult:
        rows = [
            {
                "model": r.model,
                "pk": r.pk,
                "fields": dict(r.fields),
                "source": r.source,
            }
            for r in records
        ]
        return LoadResult.of(write(session, rows))

    return load


#: what a dry run calls instead: inserting samples would consume the id sequence
#: of the alert log their write trigger fills, and a dry run leaves sequences as
#: it found them
_PREVIEWS = {"core.sample": inventory.preview_sample}

for _label, _write in inventory.ORDER:
    _order, _target, _refs = _SPECS[_label]
    _tables = () if _target is None or _label == "core.node" else (_target,)
    _preview = _PREVIEWS.get(_label)
    register(
        _label,
        order=_order,
        tables=_tables,
        target=_target,
        refs=_refs,
        preview=None if _preview is None else _adapt(_preview),
    )(_adapt(_write))
