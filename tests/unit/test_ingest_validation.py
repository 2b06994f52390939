"""The sample limits every ingest path shares."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

import pytest

from app.services.ingest import validation
from app.services.ingest.validation import FieldError, Limits

NOW = 1_700_000_000
LIMITS = Limits(now_s=NOW, max_future_s=300)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(800, 800), ("800", 800), (Decimal("800.0"), 800), (0, 0), (10_000, 10_000)],
)
def test_co2_ppm_integers_and_integer_strings_are_accepted(
    raw: Any, expected: int
) -> None:
    assert validation.co2_ppm(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "required"),
        ("", "required"),
        (10_001, "range"),
        (-1, "range"),
        (True, "invalid"),
        ("8e", "invalid"),
        (800.5, "invalid"),
        ([800], "invalid"),
    ],
)
def test_co2_ppm_bad_values_are_refused(raw: Any, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        validation.co2_ppm(raw)

    assert (caught.value.field, caught.value.code) == ("co2_ppm", code)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (21.5, Decimal("21.5")),
        ("21.50", Decimal("21.5")),
        (22, Decimal("22.0")),
        (Decimal("-20"), Decimal("-20.0")),
        (None, None),
        ("", None),
    ],
)
def test_temperature_is_kept_to_one_decimal_place(
    raw: Any, expected: Decimal | None
) -> None:
    assert validation.temperature_celsius(raw) == expected


@pytest.mark.parametrize("raw", ["-0.0", -0.0, Decimal("-0.00"), "-0"])
def test_temperature_minus_zero_is_zero_as_stored(raw: Any) -> None:
    assert str(validation.temperature_celsius(raw)) == "0.0"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (21.55, "precision"),
        ("40.1", "range"),
        (-20.1, "range"),
        ("warm", "invalid"),
        (False, "invalid"),
        ("NaN", "invalid"),
    ],
)
def test_temperature_bad_values_are_refused(raw: Any, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        validation.temperature_celsius(raw)

    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "code"), [(101, "range"), (45.5, "invalid"), ("x", "invalid")]
)
def test_humidity_bad_values_are_refused(raw: Any, code: str) -> None:
    with pytest.raises(FieldError) as caught:
        validation.rel_humidity_percent(raw)

    assert caught.value.code == code


def test_measurement_status_defaults_to_measured() -> None:
    assert validation.measurement_status(None) == "M"


def test_measurement_status_unknown_code_is_refused() -> None:
    with pytest.raises(FieldError, match="not a valid choice"):
        validation.measurement_status("X")


def test_timestamp_within_the_future_skew_is_accepted() -> None:
    assert validation.timestamp_s(NOW + 300, LIMITS) == NOW + 300


def test_timestamp_beyond_the_future_skew_is_refused() -> None:
    with pytest.raises(FieldError) as caught:
        validation.timestamp_s(NOW + 301, LIMITS)

    assert caught.value.code == "future"
    assert "301 s in the future" in caught.value.detail


@pytest.mark.parametrize("raw", [-1, 2_147_483_648])
def test_timestamp_outside_the_integer_range_is_refused(raw: int) -> None:
    limits = Limits(now_s=2_147_483_647, max_future_s=300)

    with pytest.raises(FieldError, match="between 0 and 2147483647"):
        validation.timestamp_s(raw, limits)


@pytest.mark.parametrize("raw", [0, 1, 946_684_799])
def test_timestamp_before_2000_is_refused_as_an_unset_clock(raw: int) -> None:
    with pytest.raises(FieldError) as caught:
        validation.timestamp_s(raw, LIMITS)

    assert (caught.value.field, caught.value.code) == ("timestamp_s", "past")
    assert "clock looks unset" in caught.value.detail


def test_timestamp_from_2000_on_is_accepted() -> None:
    assert validation.timestamp_s(946_684_800, LIMITS) == 946_684_800


def test_iso_time_rounding_to_1970_is_refused_as_an_unset_clock() -> None:
    with pytest.raises(FieldError) as caught:
        validation.iso_time("1969-12-31T23:59:59.6Z", LIMITS)

    assert (caught.value.field, caught.value.code) == ("time", "past")


def test_iso_time_is_rounded_to_whole_seconds() -> None:
    assert validation.iso_time("2023-11-14T22:13:20.6Z", LIMITS) == 1_700_000_001


def test_iso_time_without_offset_is_refused() -> None:
    with pytest.raises(FieldError, match="UTC offset"):
        validation.iso_time("2023-11-14T22:13:20", LIMITS)


def test_node_uuid_accepts_hex_without_dashes() -> None:
    node = uuid.uuid4()

    assert validation.node_uuid(node.hex) == node


def test_eui64_is_upper_cased() -> None:
    assert validation.eui64(" a81758fffe053c84 ") == "A81758FFFE053C84"


@pytest.mark.parametrize("raw", ["A8 17", "A8\\17", "0" * 33, 1234])
def test_eui64_with_blanks_backslashes_or_too_long_is_refused(raw: Any) -> None:
    with pytest.raises(FieldError):
        validation.eui64(raw)


@pytest.mark.parametrize(
    "raw", [Decimal("1E+400000"), "1e400000", Decimal("-1E+400000")]
)
def test_integer_with_a_huge_exponent_is_refused_at_once(raw: Any) -> None:
    """``int(Decimal("1E+400000"))`` took ten seconds."""
    started = time.perf_counter()

    with pytest.raises(FieldError) as caught:
        validation.co2_ppm(raw)

    assert caught.value.code == "range"
    assert time.perf_counter() - started < 0.1
