"""Marshmallow schemas that document the ingest bodies in the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma

from app.jsonapi.fields import WholeNumber


class SampleAttributesSchema(ma.Schema):
    """Attributes of a ``Sample``."""

    timestamp_s = WholeNumber(required=True, metadata={"example": 1700000000})
    co2_ppm = WholeNumber(required=True, metadata={"example": 800})
    temperature_celsius = ma.fields.Decimal(
        allow_none=True, as_string=True, metadata={"example": "21.5"}
    )
    rel_humidity_percent = WholeNumber(allow_none=True, metadata={"example": 45})
    measurement_status = ma.fields.String(
        metadata={"enum": ["M", "R", "E"], "example": "M"}
    )


class NodeIdentifierSchema(ma.Schema):
    """``{"type": "Node", "id": "<uuid>"}``."""

    type = ma.fields.String(required=True, metadata={"example": "Node"})
    id = ma.fields.UUID(required=True)


class NodeLinkageSchema(ma.Schema):
    """The node relationship."""

    data = ma.fields.Nested(NodeIdentifierSchema, required=True)


class SampleRelationshipsSchema(ma.Schema):
    """Relationships of a ``Sample``."""

    node = ma.fields.Nested(NodeLinkageSchema, required=True)


class SampleResourceSchema(ma.Schema):
    """A ``Sample`` resource object."""

    type = ma.fields.String(required=True, metadata={"example": "Sample"})
    id = ma.fields.String(dump_only=True)
    attributes = ma.fields.Nested(SampleAttributesSchema, required=True)
    relationships = ma.fields.Nested(SampleRelationshipsSchema, required=True)


class SampleDocumentSchema(ma.Schema):
    """``{"data": <Sample>}``."""

    data = ma.fields.Nested(SampleResourceSchema, required=True)


class ProblemSchema(ma.Schema):
    """A record that was not stored."""

    row = ma.fields.Integer(metadata={"description": "1-based record number"})
    field = ma.fields.String(allow_none=True)
    code = ma.fields.String()
    detail = ma.fields.String()


class BatchReportSchema(ma.Schema):
    """What became of every record (problems listed up to 100 of each kind)."""

    received = ma.fields.Integer()
    stored = ma.fields.Integer()
    duplicate = ma.fields.Integer()
    conflicting = ma.fields.Integer()
    rejected = ma.fields.Integer()
    rejections = ma.fields.List(ma.fields.Nested(ProblemSchema))
    conflicts = ma.fields.List(ma.fields.Nested(ProblemSchema))


class BatchDocumentSchema(ma.Schema):
    """``{"meta": <report>}``."""

    meta = ma.fields.Nested(BatchReportSchema)


class UplinkDocumentSchema(ma.Schema):
    """The decoded samples of a frame and the report."""

    data = ma.fields.List(ma.fields.Nested(SampleResourceSchema))
    meta = ma.fields.Nested(BatchReportSchema)
