"""Attribute schema of rooms (writable attributes only)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length, Range

from app.blueprints.common import description_field
from app.blueprints.docs import Related, document_schemas
from app.blueprints.filters import IdFilter, SearchArgsSchema
from app.jsonapi.attributes import not_blank
from app.jsonapi.fields import FixedDecimal, Trimmed, WholeNumber


class RoomAttributesSchema(ma.Schema):
    """A room; sizes accepted as numbers or strings (``"12.5"``)."""

    name = Trimmed(required=True, validate=[Length(max=50), not_blank])
    description = description_field()
    size_sqm = FixedDecimal(5, 1, allow_none=True, validate=Range(min=0))
    height_m = FixedDecimal(3, 1, allow_none=True, validate=Range(min=0))
    max_occupancy = WholeNumber(
        allow_none=True, validate=Range(min=0, max=2_147_483_647)
    )


ROOM_DOCUMENTS = document_schemas(
    "Room", RoomAttributesSchema, relationships={"site": Related("Site")}
)


class RoomQueryArgsSchema(SearchArgsSchema):
    """Filters of the room list."""

    site_id = IdFilter("site", "Only those of this site (id)")
    organization_id = IdFilter("organization", "Only those of this organization (id)")
