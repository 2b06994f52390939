"""Samples: the unique (node_id, time DESC) index covers every column.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 08:10:00

Reads of one node's samples (a detail's ``include_timeseries``, the lists' newest
samples) become index-only scans instead of a heap page per sample
(``sql/timescale/versions/0021_samples_covering_index.sql``). Same index on both
editions. The rebuild locks writes to the samples while it runs (about a minute per
10 M samples).
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        (SQL / "versions/0021_samples_covering_index.sql").read_text(encoding="utf-8")
    )


def downgrade() -> None:
    op.execute("DROP INDEX ux_samples_node_id_time")
    op.execute(
        'CREATE UNIQUE INDEX ux_samples_node_id_time ON samples (node_id, "time" DESC)'
    )
