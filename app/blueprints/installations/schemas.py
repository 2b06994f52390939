"""Attribute schema of installations (writable attributes only)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Range

from app.blueprints.common import description_field
from app.blueprints.docs import UUID_ID, Related, document_schemas
from app.blueprints.filters import FilterSchema, IdFilter, UuidFilter
from app.jsonapi.fields import WholeNumber
from app.services.series.epoch import MAX_MANAGAIR_EPOCH_S, OPEN_END_S

_EPOCH = Range(min=0, max=MAX_MANAGAIR_EPOCH_S)


class InstallationAttributesSchema(ma.Schema):
    """An installation; ``to_timestamp_s`` defaults to 2147483647 (open end)."""

    from_timestamp_s = WholeNumber(required=True, validate=_EPOCH)
    to_timestamp_s = WholeNumber(validate=_EPOCH)
    description = description_field()
    is_public = ma.fields.Boolean()


def with_default_end(attributes: dict[str, object]) -> dict[str, object]:
    """Return create attributes with the open end filled in when not sent."""
    return {"to_timestamp_s": OPEN_END_S, **attributes}


INSTALLATION_DOCUMENTS = document_schemas(
    "Installation",
    InstallationAttributesSchema,
    relationships={"room": Related("Room"), "node": Related("Node", UUID_ID)},
)


class InstallationQueryArgsSchema(FilterSchema):
    """Filters of the installation list."""

    room_id = IdFilter("room", "Only those of this room (id)")
    site_id = IdFilter("site", "Only those of this site (id)")
    organization_id = IdFilter("organization", "Only those of this organization (id)")
    node_id = UuidFilter("node", "Only those of this node (UUID)")
