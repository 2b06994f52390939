"""Attribute schema of nodes (writable attributes only)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length

from app.blueprints.common import description_field
from app.blueprints.docs import Related, document_schemas
from app.jsonapi.attributes import not_blank
from app.jsonapi.fields import Trimmed


class NodeAttributesSchema(ma.Schema):
    """A sensor node; the EUI is normalised to 16 upper-case hex digits."""

    eui64 = ma.fields.String(required=True, validate=[Length(max=32), not_blank])
    alias = Trimmed(required=True, validate=[Length(max=100), not_blank])
    description = description_field()


NODE_DOCUMENTS = document_schemas(
    "Node",
    NodeAttributesSchema,
    relationships={
        "protocol": Related("Protocol"),
        "model": Related("Model"),
        "owner": Related("Organization"),
    },
)
