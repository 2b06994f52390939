"""Job bookkeeping, publisher registrations, and an index for purging delivered rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:17:51.897457
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job_id", sa.String(length=50), nullable=False),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_duration_s", sa.Float(), nullable=True),
        sa.Column("last_result", sa.String(length=10), nullable=True),
        sa.Column(
            "last_counts", postgresql.JSONB(astext_type=sa.Text()), nullable=True
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_runner", sa.String(length=100), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("runs", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("failures", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_runs")),
    )
    op.create_table(
        "publisher_registrations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("publisher", sa.String(length=30), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column(
            "remote_meta",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_publisher_registrations_installation_id_installations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publisher_registrations")),
        sa.UniqueConstraint(
            "publisher",
            "installation_id",
            name=op.f("uq_publisher_registrations_publisher_installation_id"),
        ),
        sa.UniqueConstraint(
            "publisher",
            "remote_id",
            name=op.f("uq_publisher_registrations_publisher_remote_id"),
        ),
    )
    op.create_index(
        op.f("ix_publisher_registrations_installation_id"),
        "publisher_registrations",
        ["installation_id"],
        unique=False,
    )
    op.create_index(
        "ix_outbox_delivered_at",
        "outbox",
        ["delivered_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_outbox_delivered_at",
        table_name="outbox",
        postgresql_where=sa.text("delivered_at IS NOT NULL"),
    )
    op.drop_index(
        op.f("ix_publisher_registrations_installation_id"),
        table_name="publisher_registrations",
    )
    op.drop_table("publisher_registrations")
    op.drop_table("job_runs")
