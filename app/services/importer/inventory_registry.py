"""Register the inventory and sample loaders of :mod:`.inventory` with the importer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Table
from sqlalchemy.orm import Session

from app.models import Address, Installation, NodeModel, Protocol, Quantity, Room, Site
from app.services.importer import inventory
from app.services.importer.registry import LoadResult, Record, register

# label -> (order, tables whose identity moves past imported ids)
_ORDERS: dict[str, tuple[int, tuple[Table, ...]]] = {
    "core.quantity": (200, (Quantity.__table__,)),  # type: ignore[dict-item]
    "core.nodeprotocol": (210, (Protocol.__table__,)),  # type: ignore[dict-item]
    "core.nodemodel": (220, (NodeModel.__table__,)),  # type: ignore[dict-item]
    "core.node": (300, ()),
    "core.address": (310, (Address.__table__,)),  # type: ignore[dict-item]
    "core.site": (320, (Site.__table__,)),  # type: ignore[dict-item]
    "core.room": (330, (Room.__table__,)),  # type: ignore[dict-item]
    "core.roomnodeinstallation": (340, (Installation.__table__,)),  # type: ignore[dict-item]
    "core.sample": (900, ()),
}


def _adapt(
    write: Callable[[Session, Sequence[inventory.Row]], int],
) -> Callable[[Session, Sequence[Record]], LoadResult]:
    def load(session: Session, records: Sequence[Record]) -> LoadResult:
        rows = [
            {"model": r.model, "pk": r.pk, "fields": dict(r.fields)} for r in records
        ]
        written = write(session, rows)
        return LoadResult(created=written, unchanged=len(records) - written)

    return load


for _label, _write in inventory.ORDER:
    _order, _tables = _ORDERS[_label]
    register(_label, order=_order, tables=_tables)(_adapt(_write))
