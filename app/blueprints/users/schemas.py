"""Query arguments and OpenAPI descriptions of the user endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.blueprints.docs import document_schemas

MAX_ID = 2**63 - 1


class UserQueryArgsSchema(ma.Schema):
    """Filters of the user list."""

    organization = ma.fields.Integer(
        data_key="filter[organization]",
        validate=ma.validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Members of this organization (yours only)"},
    )
    search = ma.fields.String(
        data_key="filter[search]",
        metadata={
            "description": "Terms that must all occur in the username or e-mail "
            "address; an exact e-mail address also finds users outside your "
            "organizations (id and username only)"
        },
    )


class UserAttributesSchema(ma.Schema):
    """The attributes of a user (lists show ``username`` only)."""

    username = ma.fields.String()
    email = ma.fields.String()
    first_name = ma.fields.String()
    last_name = ma.fields.String()


USER_DOCUMENTS = document_schemas("User", UserAttributesSchema)
