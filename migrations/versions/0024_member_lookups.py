"""Member look-ups: the users an OWNER found by exact e-mail get a table of their own.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 09:00:00

An OWNER may add a stranger by id only shortly after finding them by their exact
e-mail address (``app.services.tenancy.lookups``). Those finds were kept as hashed
keys among the failed log-in counters (``login_failures``), a table named and typed
for something else. ``member_lookups`` holds them plainly: who found whom, and when;
``flask auth prune`` deletes the finds whose window has passed (by ``found_at``).

The finds left in ``login_failures`` cannot be told from the counters; they expire
with the rate-limit window and ``flask auth prune`` deletes them there. A find made
just before the upgrade is forgotten: the OWNER searches for the address again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_lookups",
        sa.Column("finder_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finder_id"],
            ["users.id"],
            name=op.f("fk_member_lookups_finder_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_lookups_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("finder_id", "user_id", name=op.f("pk_member_lookups")),
    )
    op.create_index(
        op.f("ix_member_lookups_found_at"), "member_lookups", ["found_at"], unique=False
    )
    op.create_index(
        op.f("ix_member_lookups_user_id"), "member_lookups", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_member_lookups_user_id"), table_name="member_lookups")
    op.drop_index(op.f("ix_member_lookups_found_at"), table_name="member_lookups")
    op.drop_table("member_lookups")
