"""Wire-format errors that point at a query parameter instead of the request body."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import ValidationError


@dataclass
class ParameterError(ValidationError):
    """A query parameter is malformed or not allowed here (400).

    Rendered with ``source.parameter`` instead of ``source.pointer``.

    Args:
        detail: human-readable explanation.
        parameter: the offending query parameter, e.g. ``page[size]``.
    """

    parameter: str | None = None

    code = "invalid_parameter"
    title = "Invalid query parameter"


def json_pointer(*parts: str | int) -> str:
    """Return the JSON pointer (RFC 6901) to ``parts``, e.g. ``/data/attributes/name``.

    Args:
        *parts: member names and list indexes, unescaped.

    Returns:
        The pointer; ``""`` (the whole document) for no parts.
    """
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts
    )
