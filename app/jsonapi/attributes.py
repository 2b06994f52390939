"""Loading a request's ``attributes`` member through a marshmallow schema.

Unknown attributes are ignored, as the reference's serializers did (clients
send read-only attributes such as ``sample_count`` back); every validation
message becomes one error object pointing at ``/data/attributes/<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from marshmallow.validate import Regexp

from app.errors import ErrorDetail, ValidationError
from app.jsonapi.errors import flatten_messages
from app.jsonapi.exceptions import json_pointer


def load_attributes(
    schema: ma.Schema, attributes: Mapping[str, Any], *, partial: bool
) -> dict[str, Any]:
    """Validate and convert ``attributes``.

    Args:
        schema: the attribute schema (one field per writable attribute).
        attributes: the request's ``data.attributes``.
        partial: PATCH semantics: required fields may be absent.

    Returns:
        The converted values of the attributes that were sent.

    Raises:
        ValidationError: one error per problem, with pointers.
    """
    try:
        loaded: dict[str, Any] = schema.load(
            attributes, partial=partial, unknown=ma.EXCLUDE
        )
    except ma.ValidationError as exc:
        problems = [
            ErrorDetail(message, json_pointer("data", "attributes", *path))
            for path, message in flatten_messages(exc.messages)
        ]
        first, *rest = problems
        raise ValidationError(first.detail, first.pointer, errors=rest) from None
    return loaded


#: Rejects empty and white-space-only strings. A ``Regexp``, so that the OpenAPI
#: document states the rule (``pattern``) and fuzzers send no blank names.
not_blank = Regexp(r"\s*\S", error="This field may not be blank.")


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
