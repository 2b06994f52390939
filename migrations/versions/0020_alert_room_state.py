"""Alerts: where each (CO2 rule, room) evaluation stands, so a run reads only new samples.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 08:00:00

A CO2 run recomputed each room's episodes from the raw samples back to the start
of its open alert: its cost grew with the history behind the new samples.
``alert_room_state`` (``sql/timescale/versions/0020_alert_room_state.sql``) keeps
what the next run needs to continue exactly (the class of the current run, its
start and peak, up to when the room is evaluated). Empty after the upgrade: each
room takes the exact recomputation once and then continues from its state.
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((SQL / "versions/0020_alert_room_state.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS alert_room_state")
