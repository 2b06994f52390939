"""The inventory importer loads Managair's demo world completely, and idempotently."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Installation, Node, NodeModel, Room, Sample
from app.services.importer.inventory import IMPORTERS, ORDER
from tests.support.managair import rows_by_model
from tests.support.managair_data import hpi_node_id


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_import_covers_every_inventory_model_of_the_fixtures() -> None:
    labels = {
        label
        for label in rows_by_model()
        if label.startswith("core.")
        and label not in {"core.organization", "core.membership"}
    }

    assert labels == set(IMPORTERS)


def test_import_loads_every_row(managair: Session) -> None:
    assert _count(managair, Sample) == 3855
    assert _count(managair, Node) == 9
    assert _count(managair, Installation) == 3
    assert _count(managair, Room) == 4


def test_import_normalises_euis_and_open_ends(managair: Session) -> None:
    hpi = managair.get(Node, uuid.UUID(hpi_node_id("a81758fffe053cab")))
    open_one = managair.get(Installation, 1)
    closed = managair.get(Installation, 2)

    assert hpi is not None
    assert hpi.eui64 == "A81758FFFE053CAB"
    assert open_one is not None
    assert open_one.to_time is None
    assert closed is not None
    assert closed.to_time is not None


def test_import_keeps_model_quantities(managair: Session) -> None:
    model = managair.get(NodeModel, 1)

    assert model is not None
    assert sorted(q.quantity for q in model.quantities) == [
        "CO2",
        "Relative Humidity",
        "Temperature",
    ]


def test_import_twice_changes_nothing(managair: Session) -> None:
    rows = rows_by_model()

    written = {label: fn(managair, rows.get(label, [])) for label, fn in ORDER}

    assert written["core.sample"].created == 0
    assert all(w.created == w.changed == 0 for w in written.values())
    assert _count(managair, Sample) == 3855
    assert _count(managair, Node) == 9
