"""marshmallow schemas that document the JSON:API error document in OpenAPI.

They are never used to dump: :mod:`app.jsonapi.errors` builds the dicts.
"""

from __future__ import annotations

import marshmallow as ma


class ErrorSourceSchema(ma.Schema):
    """Where the error came from."""

    pointer = ma.fields.String(metadata={"description": "JSON pointer into the body"})
    parameter = ma.fields.String(metadata={"description": "Query parameter"})
    header = ma.fields.String(metadata={"description": "Request header"})


class ErrorObjectSchema(ma.Schema):
    """One JSON:API error object."""

    status = ma.fields.String(metadata={"description": "HTTP status code"})
    code = ma.fields.String(metadata={"description": "Machine-readable code"})
    title = ma.fields.String(metadata={"description": "Short summary"})
    detail = ma.fields.String(metadata={"description": "This occurrence"})
    source = ma.fields.Nested(ErrorSourceSchema)
    meta = ma.fields.Dict()


class ErrorDocumentSchema(ma.Schema):
    """A JSON:API error document."""

    errors = ma.fields.List(ma.fields.Nested(ErrorObjectSchema))
