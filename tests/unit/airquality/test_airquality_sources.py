"""Which installations of a room may overlap: other nodes yes, the same node never."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ConflictError
from app.services.airquality.period import Period
from app.services.airquality.sources import Span, refuse_self_overlaps

START = datetime(2024, 1, 1, tzinfo=UTC)
PERIOD = Period(START, START + timedelta(days=31), START.date(), 31)


def _span(installation_id: int, node_id: uuid.UUID, days: tuple[int, int]) -> Span:
    return Span(
        installation_id,
        node_id,
        START + timedelta(days=days[0]),
        START + timedelta(days=days[1]),
    )


def test_refuse_self_overlaps_accepts_two_nodes_at_once() -> None:
    spans = [_span(1, uuid.uuid4(), (0, 31)), _span(2, uuid.uuid4(), (9, 11))]

    refuse_self_overlaps(spans, PERIOD)


def test_refuse_self_overlaps_refuses_one_node_twice_at_once() -> None:
    node = uuid.uuid4()
    spans = [
        _span(1, node, (0, 31)),
        _span(2, uuid.uuid4(), (2, 3)),
        _span(3, node, (9, 11)),
    ]

    with pytest.raises(ConflictError, match="Installations 1 and 3"):
        refuse_self_overlaps(spans, PERIOD)
