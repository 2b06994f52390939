"""Publisher outbox: public samples waiting for delivery to IoT data platforms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:08:52.273669
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("publisher", sa.String(length=30), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_outbox_installation_id_installations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "publisher",
            "node_id",
            "time",
            name=op.f("uq_outbox_publisher_node_id_time"),
        ),
    )
    op.create_index(
        op.f("ix_outbox_installation_id"), "outbox", ["installation_id"], unique=False
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["publisher", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NULL AND parked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_outbox_pending",
        table_name="outbox",
        postgresql_where=sa.text("delivered_at IS NULL AND parked_at IS NULL"),
    )
    op.drop_index(op.f("ix_outbox_installation_id"), table_name="outbox")
    op.drop_table("outbox")
