"""Marshmallow-level pieces shared by request loading and error documents.

``FixedDecimal``, ``WholeNumber`` and ``Trimmed`` (fields the attribute schemas
use), ``decimal_property`` (which documents ``FixedDecimal`` for the OpenAPI
plugin) and ``flatten_messages`` (marshmallow/webargs messages as paths) live here, apart
from :mod:`app.jsonapi.errors` and :mod:`app.jsonapi.attributes`, so that each
of those imports them at the top instead of importing the other lazily.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from marshmallow.validate import Range

from app.jsonapi.decimal_schema import SHAPE, decimal_pattern, decimal_schema, largest

_DECIMAL_TEXT = re.compile(SHAPE)
#: What :class:`WholeNumber` answers to a fraction.
WHOLE_NUMBER = "Must be a whole number (without decimal places)."
#: A decimal string with a point (``"800.0"``, ``"7.9"``); digit strings are ``int``'s.
_POINT_TEXT = re.compile(r"\s*[+-]?[0-9]+\.[0-9]+\s*")


class FixedDecimal(ma.fields.Decimal):
    """A decimal with at most ``max_digits`` digits and ``places`` decimal places.

    Accepts JSON numbers and plain decimal strings (``12.5``, ``"12.5"``, ``"3"``;
    no exponent, sign ``+`` or blanks) and rejects more decimal places instead of
    rounding, like Django's ``DecimalField``. Exactly what the document says
    (:meth:`json_schema`) is accepted. The value is rendered by the views.
    """

    def __init__(self, max_digits: int, places: int, **kwargs: Any) -> None:
        super().__init__(places=None, allow_nan=False, **kwargs)
        self.max_digits = max_digits
        self.fixed_places = places

    def bounds(self) -> tuple[Decimal, Decimal]:
        """The lowest and highest value: the ``Range`` validators within the digits."""
        top = largest(self.max_digits, self.fixed_places)
        low, high = -top, top
        for rule in self.validators:
            if isinstance(rule, Range):
                low = max(low, Decimal(rule.min if rule.min is not None else low))
                high = min(high, Decimal(rule.max if rule.max is not None else high))
        return low, high

    def json_schema(self) -> dict[str, Any]:
        """The OpenAPI description: a number or a decimal string within bounds."""
        return decimal_schema(*self.bounds(), self.fixed_places)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if isinstance(value, bool) or (
            isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value)
        ):
            raise self.make_error("invalid")
        number: Decimal = super()._deserialize(value, attr, data, **kw)
        try:
            exponent = number.as_tuple().exponent
        except InvalidOperation:  # pragma: no cover  (NaN is refused above)
            raise self.make_error("invalid") from None
        if isinstance(exponent, int) and -exponent > self.fixed_places:
            raise ma.ValidationError(
                f"Ensure that there are no more than {self.fixed_places} "
                "decimal places."
            )
        whole_digits = self.max_digits - self.fixed_places
        if abs(number) >= Decimal(10) ** whole_digits:
            raise ma.ValidationError(
                f"Ensure that there are no more than {whole_digits} digits "
                "before the decimal point."
            )
        low, high = self.bounds()
        # Within range, yet not as documented (e.g. "-0" where 0 is the least).
        in_range_text = isinstance(value, str) and low <= number <= high
        documented = decimal_pattern(low, high, self.fixed_places)
        if in_range_text and not re.fullmatch(documented, value):
            raise self.make_error("invalid")
        return number.quantize(Decimal(1).scaleb(-self.fixed_places))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kw: Any) -> Any:
        """Return a JSON number: apispec renders defaults and examples with this.

        A ``Decimal`` would reach the OpenAPI document as a string (``"0"``).
        """
        number = super()._serialize(value, attr, obj, **kw)
        return None if number is None else float(number)


class WholeNumber(ma.fields.Integer):
    """An integer attribute that refuses fractions instead of cutting them off.

    Accepts JSON integers, integral numbers (``800.0``) and integer strings
    (``"800"``, ``"800.0"``), as Django REST framework's ``IntegerField`` did;
    ``1.5`` or ``"7.9"`` is refused ("whole number") where marshmallow's
    ``Integer`` stored 1, and booleans are refused as before. Documented as an
    ``integer``, which in JSON Schema includes ``800.0``.
    """

    def _validated(self, value: Any) -> int:
        if isinstance(value, float | Decimal):
            number = Decimal(value)
        elif isinstance(value, str) and _POINT_TEXT.fullmatch(value):
            number = Decimal(value.strip())
        else:
            return super()._validated(value)
        if number.is_finite():
            if number != number.to_integral_value():
                raise ma.ValidationError(WHOLE_NUMBER)
            return super()._validated(int(number))
        return super()._validated(value)  # NaN and infinities: marshmallow's errors


class Trimmed(ma.fields.String):
    """A name without leading and trailing white space, as organization names are.

    The validators (length, not blank) judge the text as sent, which is what
    the OpenAPI document describes; the value is then trimmed (``str.strip``,
    as Django REST framework's ``CharField`` did), so that a uniqueness check
    sees ``" Klasse 5a "`` as ``"Klasse 5a"``.
    """

    def deserialize(
        self,
        value: Any,
        attr: str | None = None,
        data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Validate ``value`` as marshmallow does, then return it trimmed."""
        text = super().deserialize(value, attr, data, **kwargs)
        return text.strip() if isinstance(text, str) else text


def decimal_property(
    converter: Any, field: ma.fields.Field[Any], ret: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    """apispec attribute function: a :class:`FixedDecimal` is its ``json_schema``.

    Replaces the number type and bounds apispec derived from the field class.
    """
    if not isinstance(field, FixedDecimal):
        return {}
    for key in ("type", "format", "minimum", "maximum", "x-minimum", "x-maximum"):
        ret.pop(key, None)
    return field.json_schema()


def flatten_messages(
    messages: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str]]:
    """Yield ``(path, message)`` for each leaf of marshmallow/webargs messages.

    ``{"json": {"data": {"attributes": {"name": ["Missing."]}}}}`` yields
    ``(("json", "data", "attributes", "name"), "Missing.")``; marshmallow's
    ``_schema`` key (schema-level errors) adds nothing to the path.
    """
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            sub = path if key == ma.exceptions.SCHEMA else (*path, str(key))
            yield from flatten_messages(value, sub)
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from flatten_messages(item, path)
    else:
        yield path, str(messages)
