"""Alerts: a room's state remembers since when its rule's current levels judge it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 10:00:00

Editing a rule's levels, durations or hours restarts its rooms' runs: samples
from then on are judged by the new settings, and nothing already evaluated is
judged again. A late sample, though, makes the evaluation recompute the room from
the raw samples around it, and that recomputation judged samples from before the
edit by the new settings: lowering a threshold could open an alert in the past.
``alert_room_state.judged_from`` holds where the room stood when the rule changed
(its ``evaluated_to`` then); a recomputation reads no sample at or before it.
States older than this revision have none: their rules' edits are not known.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "alert_room_state",
        sa.Column("judged_from", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("alert_room_state", "judged_from")
