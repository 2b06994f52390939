"""The one place that defines what an acceptable sample is; every ingest path uses it.

The limits are the database's (``app.models.samples``) plus Managair's API range for
``timestamp_s`` (a PostgreSQL ``integer``) and a configurable tolerance for clocks
running ahead. Values are accepted as Managair's serializer accepted them: numbers,
or strings holding numbers (CSV gives nothing else); booleans never.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.models.samples import (
    CO2_PPM_MAX,
    HUMIDITY_MAX,
    TEMPERATURE_MAX_C,
    TEMPERATURE_MIN_C,
    MeasurementStatus,
)
from app.services.series.epoch import MAX_MANAGAIR_EPOCH_S

EUI64_MAX_CHARS = 32
ONE_TENTH = Decimal("0.1")
#: Integers beyond 10**18 are out of every field's range; their exact value is not
#: needed, and ``int(Decimal("1E+400000"))`` alone takes ten seconds.
_BEYOND_ANY_RANGE = 10**19
STATUSES = frozenset(s.value for s in MeasurementStatus)
_EUI64 = re.compile(r"[^\x00-\x20\\\x7f]{1,%d}" % EUI64_MAX_CHARS)  # noqa: UP031


class FieldError(ValueError):
    """One field of a sample is missing or not acceptable."""

    def __init__(self, field: str, detail: str, code: str = "invalid") -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail
        self.code = code


@dataclass(frozen=True)
class Limits:
    """The time window a sample must fall in, fixed once per request."""

    now_s: int
    max_future_s: int

    @property
    def latest_s(self) -> int:
        """The newest acceptable ``timestamp_s``."""
        return min(self.now_s + self.max_future_s, MAX_MANAGAIR_EPOCH_S)


def blank(value: Any) -> bool:
    """Whether a field is absent: None, or text of blanks only (an empty CSV cell)."""
    return value is None or (type(value) is str and not value.strip())


def _integer(field: str, value: Any) -> int:
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is str:
        try:
            return int(value)
        except ValueError:
            number = _decimal_or_none(value)
    elif kind is Decimal or kind is float:
        number = _decimal_or_none(value)
    else:
        number = None
    if number is not None and number.is_finite() and number == number.to_integral():
        if number.adjusted() > 18:
            return _BEYOND_ANY_RANGE if number > 0 else -_BEYOND_ANY_RANGE
        return int(number)
    raise FieldError(field, "A valid integer is required.")


def _decimal_or_none(value: Any) -> Decimal | None:
    try:
        return Decimal(repr(value)) if type(value) is float else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None


def _required(field: str, value: Any) -> None:
    if blank(value):
        raise FieldError(field, "This field is required.", "required")


def co2_ppm(value: Any) -> int:
    """Return a CO2 concentration in ppm (required, 0 to ``CO2_PPM_MAX``).

    Raises:
        FieldError: missing, not an integer, or out of range.
    """
    _required("co2_ppm", value)
    ppm = _integer("co2_ppm", value)
    if not 0 <= ppm <= CO2_PPM_MAX:
        raise FieldError(
            "co2_ppm", f"Ensure this value is between 0 and {CO2_PPM_MAX}.", "range"
        )
    return ppm


def temperature_celsius(value: Any) -> Decimal | None:
    """Return a temperature with one decimal place, or None when absent.

    Raises:
        FieldError: not a number, out of range, or finer than 0.1 °C.
    """
    if blank(value):
        return None
    field = "temperature_celsius"
    number = _decimal_or_none(value) if type(value) is not bool else None
    if number is None or not number.is_finite():
        raise FieldError(field, "A valid number is required.")
    if not TEMPERATURE_MIN_C <= number <= TEMPERATURE_MAX_C:
        raise FieldError(
            field,
            f"Ensure this value is between {TEMPERATURE_MIN_C} and {TEMPERATURE_MAX_C}.",
            "range",
        )
    tenths = number.quantize(ONE_TENTH)
    if tenths != number:
        raise FieldError(
            field, "Ensure that there are no more than 1 decimal places.", "precision"
        )
    return tenths + 0  # -0.0 is stored as 0.0: answer what is stored


def rel_humidity_percent(value: Any) -> int | None:
    """Return a relative humidity in whole percent, or None when absent.

    Raises:
        FieldError: not an integer or outside 0 to ``HUMIDITY_MAX``.
    """
    if blank(value):
        return None
    percent = _integer("rel_humidity_percent", value)
    if not 0 <= percent <= HUMIDITY_MAX:
        raise FieldError(
            "rel_humidity_percent",
            f"Ensure this value is between 0 and {HUMIDITY_MAX}.",
            "range",
        )
    return percent


def measurement_status(value: Any) -> str:
    """Return a measurement status code (``M`` when absent).

    Raises:
        FieldError: not one of ``M``, ``R``, ``E``.
    """
    if blank(value):
        return MeasurementStatus.MEASURED.value
    if type(value) is str and value.strip() in STATUSES:
        return value.strip()
    raise FieldError(
        "measurement_status", f'"{value}" is not a valid choice (M, R or E).', "choice"
    )


#: The earliest sample time ingest takes, 2000-01-01T00:00:00Z. Managair took any time
#: from 0; but a sensor whose clock was never set or was reset counts from 0
#: (1970-01-01), and one such sample stretched a node's history over 56 years. Samples
#: already stored (or imported from Managair) are not checked.
EARLIEST_SAMPLE_S = 946_684_800


def _in_window(field: str, seconds: int, limits: Limits) -> int:
    if seconds < 0 or seconds > MAX_MANAGAIR_EPOCH_S:
        raise FieldError(
            field,
            f"Ensure this value is between 0 and {MAX_MANAGAIR_EPOCH_S}.",
            "range",
        )
    if seconds < EARLIEST_SAMPLE_S:
        raise FieldError(
            field,
            "The time lies before 2000-01-01: the sensor's clock looks unset. Set "
            "its clock (or send the time the network server received the sample) "
            "and send the sample again.",
            "past",
        )
    if seconds > limits.latest_s:
        raise FieldError(
            field,
            f"The time lies {seconds - limits.now_s} s in the future; at most "
            f"{limits.max_future_s} s are tolerated.",
            "future",
        )
    return seconds


def timestamp_s(value: Any, limits: Limits) -> int:
    """Return epoch seconds within the accepted window.

    Raises:
        FieldError: missing, not an integer, before 2000, or too far in the future.
    """
    _required("timestamp_s", value)
    return _in_window("timestamp_s", _integer("timestamp_s", value), limits)


def iso_time(value: Any, limits: Limits) -> int:
    """Return the epoch seconds of an ISO-8601 time with offset, rounded to seconds.

    Raises:
        FieldError: missing, not ISO-8601, without a UTC offset, or out of the window.
    """
    _required("time", value)
    try:
        moment = datetime.fromisoformat(value) if type(value) is str else None
    except ValueError:
        moment = None
    if moment is None:
        raise FieldError("time", "A valid ISO-8601 date and time is required.")
    if moment.utcoffset() is None:
        raise FieldError("time", "The time needs a UTC offset, e.g. Z or +01:00.")
    return _in_window("time", math.floor(moment.timestamp() + 0.5), limits)


def node_uuid(value: Any, field: str = "node_id") -> uuid.UUID:
    """Return a node id.

    Raises:
        FieldError: missing or not a UUID.
    """
    _required(field, value)
    try:
        return uuid.UUID(value) if type(value) is str else uuid.UUID(str(value))
    except ValueError:
        raise FieldError(field, f'"{value}" is not a valid UUID.') from None


def eui64(value: Any) -> str:
    """Return a DevEUI normalised to upper case, as nodes store it.

    Raises:
        FieldError: missing, not text, too long, or with blanks or control characters.
    """
    _required("eui64", value)
    text = value.strip().upper() if type(value) is str else ""
    if not _EUI64.fullmatch(text):
        raise FieldError(
            "eui64",
            f"Expected a DevEUI of at most {EUI64_MAX_CHARS} characters, "
            "e.g. A81758FFFE053C84.",
        )
    return text
