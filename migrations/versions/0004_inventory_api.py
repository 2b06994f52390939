"""Inventory API: address creator; installations of a node may touch end to start.

* ``addresses.created_by_id``: an address no site uses yet is visible to the
  user who created it (the dashboards create an address, then a site using it).
* The installation overlap constraint compares half-open periods
  ``[from, to)`` instead of closed ones: the dashboards toggle an installation's
  publicity by ending it at ``now`` and starting a new one at the same ``now``.
  Sample membership stays inclusive on both ends.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:16:15.307351
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PERIOD = (
    "CASE WHEN to_time IS NULL OR from_time <= to_time "
    "THEN tstzrange(from_time, to_time, '{bounds}') END"
)


def _replace_period(bounds: str) -> None:
    op.drop_constraint("ex_installations_node_period", "installations")
    op.drop_column("installations", "period")
    op.add_column(
        "installations",
        sa.Column(
            "period",
            postgresql.TSTZRANGE(),
            sa.Computed(PERIOD.format(bounds=bounds), persisted=True),
            nullable=True,
        ),
    )
    op.create_exclude_constraint(
        "ex_installations_node_period",
        "installations",
        (sa.column("node_id"), "="),
        (sa.column("period"), "&&"),
        using="gist",
    )


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
    _replace_period("[)")


def downgrade() -> None:
    # Fails if installations of one node touch (end == next start): resolve first.
    _replace_period("[]")
    op.drop_constraint(
        op.f("fk_addresses_created_by_id_users"), "addresses", type_="foreignkey"
    )
    op.drop_index(op.f("ix_addresses_created_by_id"), table_name="addresses")
    op.drop_column("addresses", "created_by_id")
