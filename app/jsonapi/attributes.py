"""Loading a request's ``attributes`` member through a marshmallow schema.

Unknown attributes are ignored, as the reference's serializers did (clients
send read-only attributes such as ``sample_count`` back); every validation
message becomes one error object pointing at ``/data/attributes/<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow.validate import Regexp

from app.errors import ErrorDetail, ValidationError
from app.jsonapi.exceptions import json_pointer
from app.jsonapi.fields import flatten_messages


def load_attributes(
    schema: ma.Schema, attributes: Mapping[str, Any], *, partial: bool = False
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
