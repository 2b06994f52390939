"""The inventory importer loads Managair's demo world completely."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Installation, Node, Sample
from app.services.importer.inventory import ORDER
from tests.support.managair import rows_by_model


def test_import_inventory_fixtures_loads_every_row(managair: Session) -> None:
    rows = rows_by_model()

    counts = {label: len(rows.get(label, [])) for label, _ in ORDER}

    assert counts["core.sample"] == 3855
    assert managair.scalar(select(func.count()).select_from(Sample)) == 3855
    assert managair.scalar(select(func.count()).select_from(Node)) == 9
    assert managair.scalar(select(func.count()).select_from(Installation)) == 3
