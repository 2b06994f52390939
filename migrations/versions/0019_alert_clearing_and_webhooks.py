"""Alerts: why they cleared, per-organization webhooks, one write log trigger.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:30:00

``alerts.cleared_reason`` (recovered, or uninstalled: a silence alert of a node
that left its room closes instead of staying open forever), ``alert_webhooks``
(one signed webhook per organization, set by its OWNERs), and on the Apache
edition one statement trigger per event on ``samples`` that logs both
``samples_dirty`` and ``alert_dirty`` in one pass
(``definitions/series_dirty_log.sql``; ``definitions/alerts_dirty_log.sql``
keeps its own triggers on the TSL edition only).
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from app.services.ops.database import timescale_info

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _write_log() -> None:
    """Apache: the series triggers log alert_dirty too, the alerts' own ones go."""
    tsl = timescale_info(Session(bind=op.get_bind())).has_continuous_aggregates
    names = () if tsl else ("series_dirty_log.sql",)
    for name in (*names, "alerts_dirty_log.sql"):
        op.execute((SQL / "definitions" / name).read_text("utf-8"))


def upgrade() -> None:
    op.add_column(
        "alerts",
        sa.Column(
            "cleared_reason",
            sa.Enum(
                "recovered",
                "uninstalled",
                name="alert_clear_reason",
                native_enum=False,
                length=12,
            ),
            nullable=True,
        ),
    )
    op.execute(
        "UPDATE alerts SET cleared_reason = 'recovered' WHERE cleared_at IS NOT NULL"
    )
    op.create_check_constraint(
        op.f("ck_alerts_alert_clear_reason"),
        "alerts",
        "cleared_reason IN ('recovered', 'uninstalled')",
    )
    op.create_check_constraint(
        op.f("ck_alerts_cleared_has_reason"),
        "alerts",
        "(cleared_at IS NULL) = (cleared_reason IS NULL)",
    )
    op.create_table(
        "alert_webhooks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_alert_webhooks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_webhooks")),
        sa.UniqueConstraint(
            "organization_id", name=op.f("uq_alert_webhooks_organization_id")
        ),
    )
    _write_log()


def downgrade() -> None:
    # The write log stays as it is: its functions serve either revision.
    op.drop_table("alert_webhooks")
    op.drop_constraint(op.f("ck_alerts_cleared_has_reason"), "alerts", type_="check")
    op.drop_constraint(op.f("ck_alerts_alert_clear_reason"), "alerts", type_="check")
    op.drop_column("alerts", "cleared_reason")
