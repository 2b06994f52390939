"""Attributes, query arguments and OpenAPI descriptions of the membership endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.blueprints.docs import Related, document_schemas
from app.models import Role

MAX_ID = 2**63 - 1
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


class MembershipQueryArgsSchema(ma.Schema):
    """Filters of the membership list."""

    organization = ma.fields.Integer(
        data_key="filter[organization]",
        validate=ma.validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Memberships in this organization"},
    )
    username = ma.fields.String(
        data_key="filter[username]",
        metadata={"description": "Memberships of the user with exactly this username"},
    )
    user = ma.fields.Integer(
        data_key="filter[user]",
        validate=ma.validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Memberships of this user id"},
    )


MEMBERSHIP_DOCUMENTS = document_schemas(
    "Membership",
    MembershipAttributesSchema,
    relationships={"user": Related("User"), "organization": Related("Organization")},
)
