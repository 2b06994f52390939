"""OpenAPI descriptions of JSON:API documents; views build their bodies as dicts.

Views do not dump through these schemas (JSON:API documents are assembled by
:mod:`app.jsonapi.document`); they only feed ``alt_response`` and request bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from app.jsonapi import JSONAPI_MEDIA_TYPE


@dataclass(frozen=True)
class DocumentSchemas:
    """The schemas describing one resource type's documents."""

    resource: type[ma.Schema]
    single: type[ma.Schema]
    collection: type[ma.Schema]


def document_schemas(type_: str, attributes: type[ma.Schema]) -> DocumentSchemas:
    """Build the resource, single-document and list-document schemas of ``type_``."""
    name = type_.replace("-", "")
    resource = ma.Schema.from_dict(
        {
            "type": ma.fields.Constant(type_),
            "id": ma.fields.String(),
            "attributes": ma.fields.Nested(attributes),
            "relationships": ma.fields.Dict(),
            "links": ma.fields.Dict(),
        },
        name=f"{name}Resource",
    )
    single = ma.Schema.from_dict(
        {
            "data": ma.fields.Nested(resource),
            "included": ma.fields.List(ma.fields.Dict()),
        },
        name=f"{name}Document",
    )
    listing = ma.Schema.from_dict(
        {
            "links": ma.fields.Dict(),
            "data": ma.fields.List(ma.fields.Nested(resource)),
            "included": ma.fields.List(ma.fields.Dict()),
            "meta": ma.fields.Dict(),
        },
        name=f"{name}ListDocument",
    )
    return DocumentSchemas(resource, single, listing)


class IdentifierSchema(ma.Schema):
    """A resource identifier object."""

    type = ma.fields.String(required=True)
    id = ma.fields.String(required=True)


class LinkageDocumentSchema(ma.Schema):
    """A to-many relationship document ``{"data": [{"type", "id"}, ...]}``."""

    data = ma.fields.List(ma.fields.Nested(IdentifierSchema), required=True)


def request_body(schema: type[ma.Schema]) -> dict[str, Any]:
    """Return an OpenAPI ``requestBody`` for a JSON:API document ``schema``."""
    return {
        "required": True,
        "content": {JSONAPI_MEDIA_TYPE: {"schema": schema}},
    }
