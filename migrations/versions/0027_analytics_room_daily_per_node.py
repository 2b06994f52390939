"""Analytics: room_daily builds a grid per node and counts a touching sample once.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 12:00:00

``analytics.room_daily`` put all of a room's nodes into the same 10-minute buckets
and interpolated between different sensors, and counted a sample twice where two
installations of its node touch (one ends the instant the next begins); its days
then disagreed with the API's daily table. Each node now gets its own grid, the
room taking their highest value at each point, and each sample counts once
(``definitions/analytics_room_daily.sql``).

Downgrading keeps the definition, as revision 0017 does: the columns are the same,
and the old figures were the wrong ones.
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        (SQL / "definitions/analytics_room_daily.sql").read_text(encoding="utf-8")
    )


def downgrade() -> None:
    """Nothing to undo: the view keeps its columns (see the module docstring)."""
