"""Dashboard: room_air_days, each room's air-quality figures per completed local day.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 05:30:00

The dashboard's month figures (clean-air medal, weekday x hour profile, daily table)
were computed from a month of raw samples per request: 160 ms for one room, seconds
for an overview of 50. The jobs process now writes one row per room and completed
day (``sql/timescale/versions/0018_room_air_days.sql``); pages read those and compute
only today (and days not written yet) from raw samples. Same table on both editions.
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((SQL / "versions/0018_room_air_days.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS room_air_days")
