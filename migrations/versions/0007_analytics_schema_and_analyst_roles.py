"""Analytics schema for analysts, and the analyst roles that may read it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 17:40:34.457609

The tables map analyst login roles to organizations; ``sql/timescale`` creates the
``analytics`` schema (``versions/0007_analytics_schema.sql``) and its views
(``definitions/analytics_*.sql``), which filter on them. Downgrading
drops the schema with everything granted on it; the login roles themselves are
cluster-wide and stay (``flask analysts drop-role`` removes them).
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyst_roles",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("public_data", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "timezone",
            sa.String(length=64),
            server_default="Europe/Berlin",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_analyst_roles")),
    )
    op.create_table(
        "analyst_role_organizations",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_analyst_role_organizations_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_name"],
            ["analyst_roles.role_name"],
            name=op.f("fk_analyst_role_organizations_role_name_analyst_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "role_name", "organization_id", name=op.f("pk_analyst_role_organizations")
        ),
    )
    op.create_index(
        op.f("ix_analyst_role_organizations_organization_id"),
        "analyst_role_organizations",
        ["organization_id"],
        unique=False,
    )
    for name in (
        "versions/0007_analytics_schema.sql",
        "definitions/analytics_installation_views.sql",
        "definitions/analytics_room_daily.sql",
    ):
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    # the filtered samples the views read (revision 0026 and later; see its file)
    op.execute("DROP VIEW IF EXISTS public.analytics_installation_samples CASCADE")
    op.execute("DROP SCHEMA IF EXISTS analytics CASCADE")
    op.drop_index(
        op.f("ix_analyst_role_organizations_organization_id"),
        table_name="analyst_role_organizations",
    )
    op.drop_table("analyst_role_organizations")
    op.drop_table("analyst_roles")
