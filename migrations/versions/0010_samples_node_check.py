"""samples -> nodes: statement-level triggers instead of the per-row foreign key.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 23:00:00

The foreign key looked up the node of every inserted sample on its own; a batch of
50,000 samples spent 70 % of its INSERT there.
``sql/timescale/definitions/samples_node_check.sql`` checks each statement by its
distinct nodes, with the same error (SQLSTATE 23503, constraint
``fk_samples_node_id_nodes``), the same locks and the same ON DELETE CASCADE; then
the key is dropped. Downgrading restores the foreign key.
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        (SQL / "definitions" / "samples_node_check.sql").read_text(encoding="utf-8")
    )
    op.drop_constraint("fk_samples_node_id_nodes", "samples", type_="foreignkey")


def downgrade() -> None:
    for trigger, table in (
        ("samples_check_nodes_insert", "samples"),
        ("samples_check_nodes_update", "samples"),
        ("samples_delete_of_nodes", "nodes"),
        ("samples_truncate_of_nodes", "nodes"),
        ("samples_keep_node_ids", "nodes"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.execute(
        "DROP FUNCTION IF EXISTS samples_check_nodes(), samples_delete_of_nodes(), "
        "samples_truncate_of_nodes(), samples_keep_node_ids()"
    )
    op.create_foreign_key(
        "fk_samples_node_id_nodes",
        "samples",
        "nodes",
        ["node_id"],
        ["id"],
        ondelete="CASCADE",
    )
