"""Attribute schemas of sites and addresses (writable attributes only)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length, Range

from app.blueprints.common import description_field
from app.blueprints.docs import Related, document_schemas
from app.jsonapi.attributes import not_blank
from app.jsonapi.fields import FixedDecimal, Trimmed


class SiteAttributesSchema(ma.Schema):
    """A site of an organization."""

    name = Trimmed(required=True, validate=[Length(max=50), not_blank])
    description = description_field()


class AddressAttributesSchema(ma.Schema):
    """A postal address; coordinates in degrees with up to 6 decimal places."""

    street1 = ma.fields.String(required=True, validate=[Length(max=50), not_blank])
    street2 = ma.fields.String(allow_none=True, validate=Length(max=50))
    zip = ma.fields.String(required=True, validate=[Length(max=5), not_blank])
    city = ma.fields.String(required=True, validate=[Length(max=50), not_blank])
    latitude = FixedDecimal(9, 6, allow_none=True, validate=Range(min=-90, max=90))
    longitude = FixedDecimal(9, 6, allow_none=True, validate=Range(min=-180, max=180))


SITE_DOCUMENTS = document_schemas(
    "Site",
    SiteAttributesSchema,
    relationships={"address": Related("Address"), "operator": Related("Organization")},
)
ADDRESS_DOCUMENTS = document_schemas("Address", AddressAttributesSchema)
