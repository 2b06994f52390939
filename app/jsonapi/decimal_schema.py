"""The OpenAPI description of a fixed-point decimal, exact enough for a fuzzer.

A ``decimal(max_digits, places)`` attribute takes a JSON number or a decimal
string (Managair answered strings, como-ui sends them). Both are described
exactly, so that every value the document allows is accepted and every value
it forbids is refused:

* a number: ``minimum``/``maximum`` and ``multipleOf`` 10^-places (at most
  ``places`` decimal places, the JSON Schema way);
* a string: a ``pattern`` holding the range as well, since a pattern is all
  JSON Schema has for strings (e.g. -90 to 90 with 6 places for a latitude).

Only the bounds the attributes use are supported: from 0 or from the negative
of the upper bound, up to an integer or up to the largest value the digits hold.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

#: What a decimal string may look like before its range and places are checked.
SHAPE = r"-?[0-9]+(\.[0-9]+)?"


def largest(max_digits: int, places: int) -> Decimal:
    """The largest value ``decimal(max_digits, places)`` holds, e.g. 9999.9 for (5, 1)."""
    return Decimal(10) ** (max_digits - places) - Decimal(10) ** -places


def decimal_schema(low: Decimal, high: Decimal, places: int) -> dict[str, Any]:
    """Return the JSON schema of a decimal from ``low`` to ``high`` with ``places``.

    Raises:
        ValueError: bounds this module cannot write as a pattern.
    """
    return {
        "anyOf": [
            {"type": "string", "pattern": decimal_pattern(low, high, places)},
            {
                "type": "number",
                "minimum": float(low),
                "maximum": float(high),
                "multipleOf": float(Decimal(10) ** -places),
            },
        ]
    }


def decimal_pattern(low: Decimal, high: Decimal, places: int) -> str:
    """Return a regular expression of the decimal strings from ``low`` to ``high``.

    Raises:
        ValueError: ``low`` is neither 0 nor ``-high``, or ``high`` is neither
            an integer nor ``10^n - 10^-places``.
    """
    if low not in (0, -high):
        raise ValueError(f"unsupported lower bound {low}")
    sign = "-?" if low < 0 else ""
    fraction = rf"(\.[0-9]{{1,{places}}})?"
    whole = len(str(int(high)))
    if high == largest(whole + places, places):
        body = f"[0-9]{{1,{whole}}}{fraction}"
    elif high == int(high):
        top = str(int(high))
        body = rf"{top}(\.0{{1,{places}}})?|({_below(top)}){fraction}"
    else:
        raise ValueError(f"unsupported upper bound {high}")
    return f"^{sign}0*({body})$"


def _below(top: str) -> str:
    """A regular expression of the whole numbers below ``top`` (no leading zeros)."""
    options = [f"[0-9]{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    for i, digit in enumerate(top):
        first = 1 if i == 0 and len(top) > 1 else 0
        if int(digit) > first:
            rest = len(top) - i - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            options.append(f"{top[:i]}[{first}-{int(digit) - 1}]{tail}")
    return "|".join(options) or "0"
