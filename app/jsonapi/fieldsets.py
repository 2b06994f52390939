"""Sparse fieldsets: ``fields[<type>]=a,b`` keeps only those members of that type.

JSON:API lets a server ignore or refuse a fieldset it cannot apply; this one
refuses (400 with ``source.parameter`` ``fields[<type>]``) a type or a member
the API does not have, so a misspelt name is not silently answered with less.
The application registers the members of each type once
(:func:`register_members`); without a registration, or outside a request,
nothing is checked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from flask import Flask, current_app, has_request_context

from app.jsonapi.document import JsonObject
from app.jsonapi.exceptions import ParameterError

_EXTENSION = "jsonapi.members"


def register_members(app: Flask, members: Mapping[str, Collection[str]]) -> None:
    """Record the attribute and relationship names of each resource type of ``app``."""
    app.extensions[_EXTENSION] = {t: frozenset(m) for t, m in members.items()}


def check_fieldsets(fields: Mapping[str, tuple[str, ...]]) -> None:
    """Refuse fieldsets naming a type or a member the application does not have.

    Args:
        fields: the requested fieldsets by type (``QueryParams.fields``).

    Raises:
        ParameterError: an unknown type or member (400, ``fields[<type>]``).
    """
    if not fields or not has_request_context():
        return
    members: Mapping[str, frozenset[str]] | None = current_app.extensions.get(
        _EXTENSION
    )
    if members is None:
        return
    for type_, names in fields.items():
        parameter = f"fields[{type_}]"
        known = members.get(type_)
        if known is None:
            raise ParameterError(
                f'Sparse fieldsets are not supported for type "{type_}".',
                parameter=parameter,
            )
        for name in names:
            if name not in known:
                raise ParameterError(
                    f'Type "{type_}" has no field "{name}".', parameter=parameter
                )


def sparse(res: JsonObject, fields: Mapping[str, tuple[str, ...]]) -> JsonObject:
    """Return ``res`` with only the attributes and relationships its type's fieldset names.

    Args:
        res: a resource object.
        fields: the requested fieldsets by type (``QueryParams.fields``).

    Returns:
        ``res`` itself when no fieldset names its type, else a trimmed copy
        (``relationships`` is dropped when none remain).
    """
    wanted = fields.get(res["type"])
    if wanted is None:
        return res
    trimmed = dict(res)
    trimmed["attributes"] = {
        k: v for k, v in res.get("attributes", {}).items() if k in wanted
    }
    relationships = {
        k: v for k, v in res.get("relationships", {}).items() if k in wanted
    }
    trimmed.pop("relationships", None)
    if relationships:
        trimmed["relationships"] = relationships
    if "links" in res:
        trimmed.pop("links")
        trimmed["links"] = res["links"]
    return trimmed
