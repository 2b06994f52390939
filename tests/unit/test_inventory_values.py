"""Epoch conversion, decimal and whole-number attributes of the inventory API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

import marshmallow as ma

from app.blueprints.alerts.schemas import RuleAttributesSchema
from app.blueprints.catalogue.schemas import ProtocolAttributesSchema
from app.blueprints.installations.schemas import InstallationAttributesSchema
from app.blueprints.nodes.schemas import NodeAttributesSchema
from app.blueprints.organizations.schemas import OrganizationAttributesSchema
from app.blueprints.rooms.schemas import RoomAttributesSchema
from app.blueprints.sites.schemas import SiteAttributesSchema
from app.errors import ValidationError
from app.jsonapi.attributes import load_attributes
from app.jsonapi.fields import WHOLE_NUMBER, FixedDecimal, WholeNumber
from app.services.series.epoch import (
    OPEN_END_S,
    end_from_epoch,
    end_to_epoch,
    from_epoch,
    to_epoch,
)


class SizeSchema(ma.Schema):
    size = FixedDecimal(5, 1, allow_none=True)


class CountSchema(ma.Schema):
    count = WholeNumber(allow_none=True)


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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (800, 800),
        (800.0, 800),  # integral numbers, as Managair's IntegerField took them
        (Decimal("800.00"), 800),
        ("800", 800),
        ("800.0", 800),
        (-3, -3),
        (None, None),
    ],
)
def test_whole_number_accepts_integers_and_integral_numbers(
    raw: object, expected: object
) -> None:
    assert load_attributes(CountSchema(), {"count": raw}) == {"count": expected}


@pytest.mark.parametrize(
    "raw", [1.5, 1795999999.9, 2.99, -0.5, Decimal("1200.7"), "7.9", " 7.5 "]
)
def test_whole_number_refuses_a_fraction_instead_of_cutting_it(raw: object) -> None:
    with pytest.raises(ValidationError) as info:
        load_attributes(CountSchema(), {"count": raw})

    assert (info.value.pointer, info.value.detail) == (
        "/data/attributes/count",
        WHOLE_NUMBER,
    )


@pytest.mark.parametrize(
    "raw", [True, False, "abc", "1e3", "", float("nan"), float("inf"), [1]]
)
def test_whole_number_refuses_what_is_no_number(raw: object) -> None:
    with pytest.raises(ValidationError) as info:
        load_attributes(CountSchema(), {"count": raw})

    assert info.value.pointer == "/data/attributes/count"
    assert info.value.detail != WHOLE_NUMBER


@pytest.mark.parametrize(
    ("schema", "attribute", "whole"),
    [
        (RoomAttributesSchema, "max_occupancy", 12),
        (InstallationAttributesSchema, "from_timestamp_s", 1795999999),
        (InstallationAttributesSchema, "to_timestamp_s", 1795999999),
        (ProtocolAttributesSchema, "num_uplink_msgs", 2),
        (ProtocolAttributesSchema, "num_downlink_msgs", 2),
        (RuleAttributesSchema, "threshold_ppm", 1200),
        (RuleAttributesSchema, "hysteresis_ppm", 100),
        (RuleAttributesSchema, "duration_s", 600),
        (RuleAttributesSchema, "clear_duration_s", 300),
    ],
)
def test_integer_attributes_refuse_fractions(
    schema: type[ma.Schema], attribute: str, whole: int
) -> None:
    assert load_attributes(schema(), {attribute: float(whole)}, partial=True) == {
        attribute: whole
    }
    with pytest.raises(ValidationError) as info:
        load_attributes(schema(), {attribute: whole + 0.7}, partial=True)

    assert (info.value.pointer, info.value.detail) == (
        f"/data/attributes/{attribute}",
        WHOLE_NUMBER,
    )


def test_alert_rule_weekdays_refuse_fractions() -> None:
    schema = RuleAttributesSchema()

    assert load_attributes(schema, {"active_weekdays": [1.0, 5]}, partial=True) == {
        "active_weekdays": [1, 5]
    }
    with pytest.raises(ValidationError) as info:
        load_attributes(schema, {"active_weekdays": [1, 5.5]}, partial=True)

    assert (info.value.pointer, info.value.detail) == (
        "/data/attributes/active_weekdays/1",
        WHOLE_NUMBER,
    )


@pytest.mark.parametrize(
    "schema",
    [
        SiteAttributesSchema,
        RoomAttributesSchema,
        NodeAttributesSchema,
        InstallationAttributesSchema,
        OrganizationAttributesSchema,
    ],
)
def test_descriptions_hold_at_most_2000_characters(schema: type[ma.Schema]) -> None:
    longest = "ä" * 2000

    assert load_attributes(schema(), {"description": longest}, partial=True) == {
        "description": longest
    }
    with pytest.raises(ValidationError) as info:
        load_attributes(schema(), {"description": longest + "x"}, partial=True)

    assert (info.value.pointer, info.value.detail) == (
        "/data/attributes/description",
        "Ensure this field has no more than 2000 characters.",
    )
