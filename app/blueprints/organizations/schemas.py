"""Attributes and OpenAPI descriptions of the organization endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.blueprints.common import description_field
from app.blueprints.docs import Related, document_schemas
from app.services.tenancy.organizations import NAME_MAX

REQUIRED: dict[str, Any] = {
    "required": "This field is required.",
    "null": "This field may not be null.",
}


class OrganizationAttributesSchema(ma.Schema):
    """The attributes of an organization."""

    name = ma.fields.String(
        required=True,
        validate=ma.validate.Length(
            max=NAME_MAX, error="Ensure this field has no more than {max} characters."
        ),
        error_messages=REQUIRED,
        # Not blank: the service checks it (translated); the pattern documents it.
        metadata={
            "description": f"Unique, at most {NAME_MAX} characters",
            "pattern": r"\S",
        },
    )
    description = description_field()


ORGANIZATION_DOCUMENTS = document_schemas(
    "Organization",
    OrganizationAttributesSchema,
    relationships={"users": Related("User", required=False, many=True)},
)
