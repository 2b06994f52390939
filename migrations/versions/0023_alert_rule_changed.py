"""Alerts: an open alert closes when its rule stops covering its room.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 13:00:00

Until now an alert of a rule that was disabled, or narrowed to other sites or
rooms, stayed open for ever: nothing evaluated it any more. The evaluation now
closes such alerts with the reason ``rule_changed``; this revision admits the
value in ``alerts.cleared_reason``.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_NAME = "ck_alerts_alert_clear_reason"


def upgrade() -> None:
    op.drop_constraint(op.f(_NAME), "alerts", type_="check")
    op.create_check_constraint(
        op.f(_NAME),
        "alerts",
        "cleared_reason IN ('recovered', 'uninstalled', 'rule_changed')",
    )


def downgrade() -> None:
    op.execute(
        "UPDATE alerts SET cleared_reason = 'recovered' "
        "WHERE cleared_reason = 'rule_changed'"
    )
    op.drop_constraint(op.f(_NAME), "alerts", type_="check")
    op.create_check_constraint(
        op.f(_NAME), "alerts", "cleared_reason IN ('recovered', 'uninstalled')"
    )
