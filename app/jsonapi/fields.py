"""Marshmallow-level pieces shared by request loading and error documents.

``FixedDecimal`` (a field the attribute schemas use and the OpenAPI plugin
documents) and ``flatten_messages`` (marshmallow/webargs messages as paths) live
here, apart from :mod:`app.jsonapi.errors` and :mod:`app.jsonapi.attributes`, so
that each of those imports them at the top instead of importing the other lazily.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma


class FixedDecimal(ma.fields.Decimal):
    """A decimal with at most ``max_digits`` digits and ``places`` decimal places.

    Accepts JSON numbers and strings (``12.5``, ``"12.5"``, ``"3"``) and rejects
    more decimal places instead of rounding, like Django's ``DecimalField``. The
    value is rendered by the views, not by this field.
    """

    def __init__(self, max_digits: int, places: int, **kwargs: Any) -> None:
        super().__init__(places=None, allow_nan=False, **kwargs)
        self.max_digits = max_digits
        self.fixed_places = places

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if isinstance(value, bool):
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
        return number.quantize(Decimal(1).scaleb(-self.fixed_places))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kw: Any) -> Any:
        """Return a JSON number: apispec documents the ``Range`` bounds with this.

        A ``Decimal`` would reach the OpenAPI document as a string (``"0"``),
        which makes ``minimum``/``maximum`` invalid there.
        """
        number = super()._serialize(value, attr, obj, **kw)
        return None if number is None else float(number)


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
