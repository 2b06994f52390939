"""Tenancy, device catalogue and inventory tables (plus the extensions they need).

Revision ID: 0001
Revises:
Create Date: 2026-11-29 17:03:51.018516

The downgrade keeps the timescaledb and btree_gist extensions: they are set-up
infrastructure (created by the set-up scripts too), and dropping TimescaleDB from a
session that has loaded it is unsafe.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((SQL / "versions" / "0001_extensions.sql").read_text(encoding="utf-8"))
    op.create_table(
        "addresses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street1", sa.String(length=50), nullable=False),
        sa.Column("street2", sa.String(length=50), nullable=True),
        sa.Column("zip", sa.String(length=5), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.CheckConstraint(
            "latitude BETWEEN -90 AND 90", name=op.f("ck_addresses_latitude_range")
        ),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("ck_addresses_longitude_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.create_table(
        "node_models",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("trade_name", sa.String(length=30), nullable=False),
        sa.Column("manufacturer", sa.String(length=30), nullable=False),
        sa.Column("sensor_type", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_node_models")),
        sa.UniqueConstraint("name", name=op.f("uq_node_models_name")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "btrim(name) <> ''", name=op.f("ck_organizations_name_not_blank")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "protocols",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("identifier", sa.String(length=30), nullable=False),
        sa.Column("num_uplink_msgs", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "num_downlink_msgs", sa.Integer(), server_default="1", nullable=False
        ),
        sa.CheckConstraint(
            "num_downlink_msgs >= 0", name=op.f("ck_protocols_downlink_not_negative")
        ),
        sa.CheckConstraint(
            "num_uplink_msgs >= 0", name=op.f("ck_protocols_uplink_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocols")),
        sa.UniqueConstraint("identifier", name=op.f("uq_protocols_identifier")),
    )
    op.create_table(
        "quantities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("quantity", sa.String(length=30), nullable=False),
        sa.Column("base_unit", sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantities")),
        sa.UniqueConstraint("quantity", name=op.f("uq_quantities_quantity")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("email", sa.String(length=254), server_default="", nullable=False),
        sa.Column(
            "email_verified", sa.Boolean(), server_default="false", nullable=False
        ),
        sa.Column(
            "first_name", sa.String(length=150), server_default="", nullable=False
        ),
        sa.Column(
            "last_name", sa.String(length=150), server_default="", nullable=False
        ),
        sa.Column(
            "password_hash", sa.String(length=255), server_default="", nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("is_staff", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_superuser", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column(
            "date_joined",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("username <> ''", name=op.f("ck_users_username_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(
        "uq_users_email_lower",
        "users",
        [sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("email <> ''"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind <> 'user' OR user_id IS NOT NULL",
            name=op.f("ck_api_tokens_user_token_has_user"),
        ),
        sa.CheckConstraint(
            "kind IN ('user', 'ingest')", name=op.f("ck_api_tokens_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_api_tokens_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_api_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_tokens_digest")),
    )
    op.create_index(
        op.f("ix_api_tokens_organization_id"),
        "api_tokens",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "O",
                "I",
                name="membership_role",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="I",
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_memberships_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "user_id",
            "organization_id",
            name=op.f("uq_memberships_user_id_organization_id"),
        ),
    )
    op.create_index(
        op.f("ix_memberships_organization_id"),
        "memberships",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_memberships_user_id"), "memberships", ["user_id"], unique=False
    )
    op.create_table(
        "node_model_quantities",
        sa.Column("node_model_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_model_id"],
            ["node_models.id"],
            name=op.f("fk_node_model_quantities_node_model_id_node_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quantity_id"],
            ["quantities.id"],
            name=op.f("fk_node_model_quantities_quantity_id_quantities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "node_model_id", "quantity_id", name=op.f("pk_node_model_quantities")
        ),
    )
    op.create_table(
        "nodes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("eui64", sa.String(length=32), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("protocol_id", sa.BigInteger(), nullable=False),
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "eui64 = upper(eui64) AND btrim(eui64) <> ''",
            name=op.f("ck_nodes_eui64_normalised"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["node_models.id"],
            name=op.f("fk_nodes_model_id_node_models"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organizations.id"],
            name=op.f("fk_nodes_owner_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["protocols.id"],
            name=op.f("fk_nodes_protocol_id_protocols"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
        sa.UniqueConstraint("eui64", name=op.f("uq_nodes_eui64")),
    )
    op.create_index(op.f("ix_nodes_model_id"), "nodes", ["model_id"], unique=False)
    op.create_index(op.f("ix_nodes_owner_id"), "nodes", ["owner_id"], unique=False)
    op.create_index(
        op.f("ix_nodes_protocol_id"), "nodes", ["protocol_id"], unique=False
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address_id", sa.BigInteger(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("btrim(name) <> ''", name=op.f("ck_sites_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["addresses.id"],
            name=op.f("fk_sites_address_id_addresses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["organizations.id"],
            name=op.f("fk_sites_operator_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint(
            "operator_id", "name", name=op.f("uq_sites_operator_id_name")
        ),
    )
    op.create_index(op.f("ix_sites_address_id"), "sites", ["address_id"], unique=False)
    op.create_index(
        op.f("ix_sites_operator_id"), "sites", ["operator_id"], unique=False
    )
    op.create_table(
        "node_fidelity",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column(
            "fidelity",
            sa.Enum(
                "U",
                "E",
                "M",
                "D",
                name="fidelity",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="U",
            nullable=False,
        ),
        sa.Column("last_contact", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_check", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_node_fidelity_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_node_fidelity")),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("size_sqm", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("height_m", sa.Numeric(precision=3, scale=1), nullable=True),
        sa.Column("max_occupancy", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("btrim(name) <> ''", name=op.f("ck_rooms_name_not_blank")),
        sa.CheckConstraint("height_m >= 0", name=op.f("ck_rooms_height_not_negative")),
        sa.CheckConstraint(
            "max_occupancy >= 0", name=op.f("ck_rooms_occupancy_not_negative")
        ),
        sa.CheckConstraint("size_sqm >= 0", name=op.f("ck_rooms_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_rooms_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_rooms_site_id_name")),
    )
    op.create_index(op.f("ix_rooms_site_id"), "rooms", ["site_id"], unique=False)
    op.create_table(
        "installations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=False),
        sa.Column("from_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "period",
            postgresql.TSTZRANGE(),
            sa.Computed(
                "CASE WHEN to_time IS NULL OR from_time <= to_time "
                "THEN tstzrange(from_time, to_time, '[]') END",
                persisted=True,
            ),
            nullable=True,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("image", sa.String(length=255), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("node_id"), "="),
            (sa.column("period"), "&&"),
            using="gist",
            name="ex_installations_node_period",
        ),
        sa.CheckConstraint(
            "to_time IS NULL OR from_time <= to_time",
            name=op.f("ck_installations_from_not_after_to"),
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_installations_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_installations_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installations")),
        sa.UniqueConstraint(
            "node_id", "from_time", name=op.f("uq_installations_node_id_from_time")
        ),
    )
    op.create_index(
        "ix_installations_room_id_from_time",
        "installations",
        ["room_id", "from_time"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_installations_room_id_from_time", table_name="installations")
    op.drop_table("installations")
    op.drop_index(op.f("ix_rooms_site_id"), table_name="rooms")
    op.drop_table("rooms")
    op.drop_table("node_fidelity")
    op.drop_index(op.f("ix_sites_operator_id"), table_name="sites")
    op.drop_index(op.f("ix_sites_address_id"), table_name="sites")
    op.drop_table("sites")
    op.drop_index(op.f("ix_nodes_protocol_id"), table_name="nodes")
    op.drop_index(op.f("ix_nodes_owner_id"), table_name="nodes")
    op.drop_index(op.f("ix_nodes_model_id"), table_name="nodes")
    op.drop_table("nodes")
    op.drop_table("node_model_quantities")
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_organization_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_index(op.f("ix_api_tokens_organization_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(
        "uq_users_email_lower",
        table_name="users",
        postgresql_where=sa.text("email <> ''"),
    )
    op.drop_table("users")
    op.drop_table("quantities")
    op.drop_table("protocols")
    op.drop_table("organizations")
    op.drop_table("node_models")
    op.drop_table("addresses")
