"""Provenance of imported rows: which rows a Managair import wrote.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:00:00

``flask import managair`` keeps Managair's ids; this table tells the rows an
earlier run wrote (which a re-run may update) from rows made here that happen
to hold the same ids (which an import must never touch).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_rows",
        sa.Column("target_table", sa.String(length=63), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "target_table", "target_id", name=op.f("pk_imported_rows")
        ),
        sa.UniqueConstraint(
            "source",
            "model",
            "source_id",
            name=op.f("uq_imported_rows_source_model_source_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("imported_rows")
