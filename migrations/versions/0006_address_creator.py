"""Address creator: an address no site uses yet is visible to whoever created it.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29 17:16:15.307351
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "addresses", sa.Column("created_by_id", sa.BigInteger(), nullable=True)
    )
    op.create_index(
        op.f("ix_addresses_created_by_id"),
        "addresses",
        ["created_by_id"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_addresses_created_by_id_users"),
        "addresses",
        "users",
        ["created_by_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_addresses_created_by_id_users"), "addresses", type_="foreignkey"
    )
    op.drop_index(op.f("ix_addresses_created_by_id"), table_name="addresses")
    op.drop_column("addresses", "created_by_id")
