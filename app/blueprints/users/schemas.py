"""Query arguments and OpenAPI descriptions of the user endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.blueprints.docs import document_schemas
from app.blueprints.filters import FilterSchema, IdFilter, TextFilter


class UserQueryArgsSchema(FilterSchema):
    """Filters of the user list (``search`` whole: an exact address finds more)."""

    organization_id = IdFilter(
        "organization", "Members of this organization (yours only)"
    )
    search = TextFilter(
        "search",
        "Terms that must all occur in the username or e-mail address; an exact "
        "e-mail address also finds users outside your organizations (id and "
        "username only)",
    )


class UserAttributesSchema(ma.Schema):
    """The attributes of a user (lists show ``username`` only)."""

    username = ma.fields.String()
    email = ma.fields.String()
    first_name = ma.fields.String()
    last_name = ma.fields.String()


USER_DOCUMENTS = document_schemas("User", UserAttributesSchema)
