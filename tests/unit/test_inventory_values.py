"""Epoch conversion and decimal attributes of the inventory API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

import marshmallow as ma

from app.errors import ValidationError
from app.jsonapi.attributes import load_attributes
from app.jsonapi.fields import FixedDecimal
from app.services.series.epoch import (
    OPEN_END_S,
    end_from_epoch,
    end_to_epoch,
    from_epoch,
    to_epoch,
)


class SizeSchema(ma.Schema):
    size = FixedDecimal(5, 1, allow_none=True)


def test_epoch_round_trips_through_aware_datetime() -> None:
    moment = from_epoch(1603581327)

    assert moment == datetime(2020, 10, 24, 23, 15, 27, tzinfo=UTC)
    assert to_epoch(moment) == 1603581327


def test_open_end_is_none_and_back() -> None:
    assert end_from_epoch(OPEN_END_S) is None
    assert end_to_epoch(None) == OPEN_END_S


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5", Decimal("5.0")),
        (12.5, Decimal("12.5")),
        ("2.7", Decimal("2.7")),
        (None, None),
    ],
)
def test_fixed_decimal_accepts_numbers_and_strings(
    raw: object, expected: object
) -> None:
    assert load_attributes(SizeSchema(), {"size": raw}, partial=False) == {
        "size": expected
    }


@pytest.mark.parametrize("raw", ["12.55", "10000", "abc", True, "NaN"])
def test_fixed_decimal_refuses_with_pointer(raw: object) -> None:
    with pytest.raises(ValidationError) as info:
        load_attributes(SizeSchema(), {"size": raw}, partial=False)

    assert info.value.pointer == "/data/attributes/size"


def test_unknown_attributes_are_ignored() -> None:
    loaded = load_attributes(SizeSchema(), {"sample_count": 3}, partial=True)

    assert loaded == {}
