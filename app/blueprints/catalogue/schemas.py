"""Attribute schemas of the device catalogue (writable attributes only)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length, Range

from app.blueprints.docs import Related, document_schemas
from app.jsonapi.attributes import not_blank
from app.jsonapi.fields import Trimmed, WholeNumber


def _name(max_length: int) -> Trimmed:
    return Trimmed(required=True, validate=[Length(max=max_length), not_blank])


class QuantityAttributesSchema(ma.Schema):
    """A measured quantity."""

    quantity = _name(30)
    base_unit = _name(30)


class ProtocolAttributesSchema(ma.Schema):
    """A node protocol."""

    identifier = _name(30)
    num_uplink_msgs = WholeNumber(validate=Range(min=0, max=32767))
    num_downlink_msgs = WholeNumber(validate=Range(min=0, max=32767))


class ModelAttributesSchema(ma.Schema):
    """A node model."""

    name = _name(30)
    trade_name = _name(30)
    manufacturer = _name(30)
    sensor_type = _name(100)


QUANTITY_DOCUMENTS = document_schemas("Quantity", QuantityAttributesSchema)
PROTOCOL_DOCUMENTS = document_schemas("Protocol", ProtocolAttributesSchema)
MODEL_DOCUMENTS = document_schemas(
    "Model",
    ModelAttributesSchema,
    relationships={"quantities": Related("Quantity", required=False, many=True)},
)
