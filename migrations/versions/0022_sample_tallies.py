"""Samples: per-node and per-installation tallies (count and newest time), kept exact by
triggers, so the lists read one row per node or installation whatever the history.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:40:00

The node and installation lists (and Managair's time-series lists) counted each row's
samples from the rollups plus raw edges: 15-20 ms for 100 rows, growing with the
history. ``node_tallies`` and ``installation_tallies``
(``sql/timescale/versions/0022_sample_tallies.sql``) are kept by the triggers of
``sql/timescale/definitions/sample_tallies.sql`` in each writer's transaction, then
filled from the stored samples while writes wait (about 4 s per 10 M samples).
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in (
        "versions/0022_sample_tallies.sql",
        "definitions/sample_tallies.sql",
        "versions/0022_sample_tallies_fill.sql",
    ):
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    for name in ("count", "recount"):
        op.execute(
            f"DROP TRIGGER IF EXISTS installations_tally_{name} ON installations"
        )
    for event in (
        *("insert", "update", "delete", "truncate"),  # both editions / Apache
        *("log_row", "update_logged", "delete_logged"),  # TSL
    ):
        op.execute(f"DROP TRIGGER IF EXISTS samples_tally_{event} ON samples")
    op.execute(
        "DROP FUNCTION IF EXISTS installation_tally_recount(), sample_tallies_forget(), "
        "sample_tallies_change(), sample_tallies_log_row(), sample_tallies_add(), "
        "sample_tallies_lock(uuid[], boolean), sample_tallies_open_end()"
    )
    op.execute(
        "DROP TABLE IF EXISTS sample_tally_log, installation_tallies, node_tallies"
    )
