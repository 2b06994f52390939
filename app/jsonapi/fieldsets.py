"""Sparse fieldsets: ``fields[<type>]=a,b`` keeps only those members of that type."""

from __future__ import annotations

from collections.abc import Mapping

from app.jsonapi.document import JsonObject


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
