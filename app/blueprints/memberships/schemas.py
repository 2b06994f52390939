"""Attributes, query arguments and OpenAPI descriptions of the membership endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.blueprints.docs import Related, document_schemas
from app.blueprints.filters import FilterSchema, IdFilter, TextFilter
from app.models import Role

ROLES = [role.value for role in Role]


class MembershipAttributesSchema(ma.Schema):
    """The attributes of a membership; the names are read-only."""

    role = ma.fields.String(
        load_default=Role.INSPECTOR.value,
        validate=ma.validate.OneOf(ROLES, error='"{input}" is not a valid choice.'),
        error_messages={"null": "This field may not be null."},
        metadata={"description": "O (OWNER) or I (INSPECTOR, default)"},
    )
    notify_alerts = ma.fields.Boolean(
        metadata={
            "description": "mail this member the organization's alerts (default "
            "false); the member may set it, too"
        },
    )
    user_name = ma.fields.String(dump_only=True)
    organization_name = ma.fields.String(dump_only=True)


class MembershipQueryArgsSchema(FilterSchema):
    """Filters of the membership list."""

    organization_id = IdFilter("organization", "Memberships in this organization")
    username = TextFilter(
        "username", "Memberships of the user with exactly this username"
    )
    user_id = IdFilter("user", "Memberships of this user id")


MEMBERSHIP_DOCUMENTS = document_schemas(
    "Membership",
    MembershipAttributesSchema,
    relationships={"user": Related("User"), "organization": Related("Organization")},
)
