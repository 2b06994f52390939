"""Ventilation alerts: rules, alerts, their notification outbox, the dirty-range log.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:00:00

Tables ``alert_rules``, ``alerts`` (unique per rule, room and opening time),
``alert_notifications`` (the durable outbox of alert mails and webhooks) and
``alert_dirty`` (node time ranges with new samples, logged by the statement
triggers of ``sql/timescale/definitions/alerts_dirty_log.sql``), the rules'
active-hours test (``definitions/alerts_active_hours.sql``) and the
members' mail preference ``memberships.notify_alerts``.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = False, now: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=sa.text("now()") if now else None,
        nullable=nullable,
    )


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def upgrade() -> None:
    op.add_column(
        "memberships",
        sa.Column(
            "notify_alerts",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
    )
    op.create_table(
        "alert_rules",
        _id(),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=True),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("co2", "silent", name="alert_kind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("threshold_ppm", sa.Integer(), nullable=True),
        sa.Column("hysteresis_ppm", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("clear_duration_s", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "active_weekdays", postgresql.ARRAY(sa.SmallInteger()), nullable=True
        ),
        sa.Column("active_from", sa.Time(), nullable=True),
        sa.Column("active_to", sa.Time(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        _timestamp("created_at", now=True),
        sa.CheckConstraint(
            "(active_from IS NULL) = (active_to IS NULL)",
            name=op.f("ck_alert_rules_active_hours_pair"),
        ),
        sa.CheckConstraint(
            "btrim(name) <> ''", name=op.f("ck_alert_rules_name_not_blank")
        ),
        sa.CheckConstraint(
            "duration_s > 0", name=op.f("ck_alert_rules_duration_positive")
        ),
        sa.CheckConstraint(
            "kind <> 'co2' OR threshold_ppm IS NOT NULL",
            name=op.f("ck_alert_rules_co2_has_threshold"),
        ),
        sa.CheckConstraint(
            "kind IN ('co2', 'silent')", name=op.f("ck_alert_rules_alert_kind")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_alert_rules_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_alert_rules_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_alert_rules_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
    )
    for column in ("organization_id", "site_id", "room_id"):
        op.create_index(
            op.f(f"ix_alert_rules_{column}"), "alert_rules", [column], unique=False
        )
    op.create_table(
        "alerts",
        _id(),
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
        _timestamp("since"),
        _timestamp("opened_at"),
        _timestamp("cleared_at", nullable=True),
        sa.Column("peak_ppm", sa.Integer(), nullable=True),
        _timestamp("created_at", now=True),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name=op.f("fk_alerts_installation_id_installations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_alerts_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name=op.f("fk_alerts_rule_id_alert_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "rule_id",
            "room_id",
            "opened_at",
            name=op.f("uq_alerts_rule_id_room_id_opened_at"),
        ),
    )
    op.create_index(
        "ix_alerts_open",
        "alerts",
        ["rule_id", "room_id"],
        unique=False,
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.create_index(
        "ix_alerts_room_id_opened_at", "alerts", ["room_id", "opened_at"], unique=False
    )
    op.create_index(
        op.f("ix_alerts_installation_id"), "alerts", ["installation_id"], unique=False
    )
    op.create_table(
        "alert_dirty",
        _id(),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        _timestamp("lo"),
        _timestamp("hi"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_dirty")),
    )
    op.create_table(
        "alert_notifications",
        _id(),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("membership_id", sa.BigInteger(), nullable=True),
        _timestamp("created_at", now=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _timestamp("next_attempt_at", now=True),
        _timestamp("delivered_at", nullable=True),
        _timestamp("parked_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('mail', 'webhook')",
            name=op.f("ck_alert_notifications_channel_known"),
        ),
        sa.CheckConstraint(
            "event IN ('opened', 'cleared')",
            name=op.f("ck_alert_notifications_event_known"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_notifications_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_alert_notifications_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notifications")),
        sa.UniqueConstraint(
            "alert_id",
            "event",
            "channel",
            "membership_id",
            name=op.f("uq_alert_notifications_alert_id_event_channel_membership_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_alert_notifications_alert_id"),
        "alert_notifications",
        ["alert_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_alert_notifications_membership_id"),
        "alert_notifications",
        ["membership_id"],
        unique=False,
    )
    op.create_index(
        "ix_alert_notifications_pending",
        "alert_notifications",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NULL AND parked_at IS NULL"),
    )
    for name in ("alerts_dirty_log.sql", "alerts_active_hours.sql"):
        op.execute((SQL / "definitions" / name).read_text("utf-8"))


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS alerts_log_insert ON samples")
    op.execute("DROP TRIGGER IF EXISTS alerts_log_update ON samples")
    op.execute("DROP FUNCTION IF EXISTS alerts_log_new_rows()")
    op.execute(
        "DROP FUNCTION IF EXISTS alert_rule_active(smallint[], time, time, text, "
        "timestamptz)"
    )
    op.drop_table("alert_notifications")
    op.drop_table("alert_dirty")
    op.drop_table("alerts")
    op.drop_table("alert_rules")
    op.drop_column("memberships", "notify_alerts")
