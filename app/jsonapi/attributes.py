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


#: White space as either regex dialect counts it: ECMA-262's ``\s`` (which JSON
#: Schema's ``pattern`` uses) and Python's (which also counts the separators
#: U+001C-U+001F and U+0085). Spelled out so that both read the same set.
_WHITE = (
    r"\t\n\v\f\r \x1c-\x1f\x85\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000\ufeff"
)

#: Rejects empty and white-space-only strings. A ``Regexp``, so that the OpenAPI
#: document states the rule (``pattern``) and fuzzers send no blank names; with
#: ``\s`` a name of U+001C alone was valid by the document and refused here.
not_blank = Regexp(f"[{_WHITE}]*[^{_WHITE}]", error="This field may not be blank.")
