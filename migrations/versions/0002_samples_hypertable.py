"""Samples hypertable.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 17:10:00

The table is created here, then ``sql/timescale/versions/0002_samples_hypertable.sql``
turns it into a hypertable.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "samples",
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("co2_ppm", sa.SmallInteger(), nullable=False),
        sa.Column(
            "temperature_celsius", sa.Numeric(precision=3, scale=1), nullable=True
        ),
        sa.Column("rel_humidity_percent", sa.SmallInteger(), nullable=True),
        sa.Column(
            "measurement_status",
            sa.Enum(
                "M",
                "R",
                "E",
                name="measurement_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="M",
            nullable=False,
        ),
        sa.CheckConstraint(
            "co2_ppm BETWEEN 0 AND 10000", name=op.f("ck_samples_co2_range")
        ),
        sa.CheckConstraint(
            "rel_humidity_percent BETWEEN 0 AND 100",
            name=op.f("ck_samples_humidity_range"),
        ),
        sa.CheckConstraint(
            "temperature_celsius BETWEEN -20.0 AND 40.0",
            name=op.f("ck_samples_temperature_range"),
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_samples_node_id_nodes"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ux_samples_node_id_time",
        "samples",
        ["node_id", sa.literal_column("time DESC")],
        unique=True,
    )
    op.execute(
        (SQL / "versions" / "0002_samples_hypertable.sql").read_text(encoding="utf-8")
    )


def downgrade() -> None:
    op.drop_table("samples")
