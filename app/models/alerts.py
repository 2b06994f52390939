"""Ventilation alerts: rules of organizations, the alerts they open, their messages.

The jobs process evaluates the rules against the samples (``app.services.alerts``);
ingest only logs which node and time range got new samples (``alert_dirty``, filled by
a statement trigger on ``samples``, ``sql/timescale/definitions/alerts_dirty_log.sql``)
so late samples re-evaluate exactly the range they touch.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.outbox import DeliveryState
from app.models.types import BigId, utcnow


class AlertKind(enum.StrEnum):
    """What a rule watches: a room's CO2, or whether its nodes still send."""

    CO2 = "co2"
    SILENT = "silent"


class ClearReason(enum.StrEnum):
    """Why an alert closed: its condition ended, its sensor left the room, or its
    rule no longer covers the room (disabled, or narrowed to other sites or rooms)."""

    RECOVERED = "recovered"
    UNINSTALLED = "uninstalled"
    RULE_CHANGED = "rule_changed"


class AlertRule(Base):
    """When an organization wants to be told; narrowed to one site or room if set.

    A CO2 rule opens an alert when a room's CO2 stays at or above
    ``threshold_ppm`` for ``duration_s`` and clears it when it stays below
    ``threshold_ppm - hysteresis_ppm`` for ``clear_duration_s``; a silence rule
    opens one when an installed node sent nothing for ``duration_s`` and clears
    it with the node's next sample. Outside the active hours (weekdays 1-7 ISO,
    ``active_from``-``active_to`` in ``time_zone``) no alert opens.
    """

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint("btrim(name) <> ''", name="name_not_blank"),
        CheckConstraint(
            "kind <> 'co2' OR threshold_ppm IS NOT NULL", name="co2_has_threshold"
        ),
        CheckConstraint("duration_s > 0", name="duration_positive"),
        CheckConstraint(
            "(active_from IS NULL) = (active_to IS NULL)", name="active_hours_pair"
        ),
    )

    id: Mapped[BigId]
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[AlertKind] = mapped_column(
        Enum(
            AlertKind,
            name="alert_kind",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=10,
            create_constraint=True,
        )
    )
    threshold_ppm: Mapped[int | None]
    hysteresis_ppm: Mapped[int] = mapped_column(default=0, server_default="0")
    duration_s: Mapped[int]
    clear_duration_s: Mapped[int] = mapped_column(default=0, server_default="0")
    active_weekdays: Mapped[list[int] | None] = mapped_column(ARRAY(SmallInteger))
    active_from: Mapped[time | None] = mapped_column(Time)
    active_to: Mapped[time | None] = mapped_column(Time)
    time_zone: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    def __str__(self) -> str:
        return self.name


class Alert(Base):
    """One episode of a rule in a room: opened, perhaps cleared, with its peak.

    ``(rule_id, room_id, opened_at)`` is unique, so a re-run or a second jobs
    process can never open the same alert twice.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("rule_id", "room_id", "opened_at"),
        Index(
            "ix_alerts_open",
            "rule_id",
            "room_id",
            postgresql_where=text("cleared_at IS NULL"),
        ),
        Index("ix_alerts_room_id_opened_at", "room_id", "opened_at"),
        CheckConstraint(
            "(cleared_at IS NULL) = (cleared_reason IS NULL)", name="cleared_has_reason"
        ),
    )

    id: Mapped[BigId]
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE")
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    installation_id: Mapped[int | None] = mapped_column(
        ForeignKey("installations.id", ondelete="SET NULL"), index=True
    )
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_reason: Mapped[ClearReason | None] = mapped_column(
        Enum(
            ClearReason,
            name="alert_clear_reason",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=12,
            create_constraint=True,
        )
    )
    peak_ppm: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class AlertWebhook(Base):
    """Where an organization's alert messages are posted, and the key that signs them.

    One per organization, set by its OWNERs; the secret is write-only in the API.
    """

    __tablename__ = "alert_webhooks"

    id: Mapped[BigId]
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class AlertDirty(Base):
    """A node's time range that got samples since the last evaluation (trigger-fed)."""

    __tablename__ = "alert_dirty"

    id: Mapped[BigId]
    node_id: Mapped[uuid.UUID]
    lo: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    hi: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertRoomState(Base):
    """Where the evaluation of one CO2 rule in one room stands (the next run's seed).

    Samples up to ``evaluated_to`` are folded in; the run of one class the room is
    in (``run_class`` 1 high, 0 between, -1 low) began at ``run_start`` with
    ``run_peak_ppm`` its highest CO2 so far. ``seen_to`` above ``evaluated_to``
    means a lagging node held the room back. ``judged_from`` is where the room
    stood when the rule's levels, durations or hours last changed: a late sample's
    recomputation reads only samples after it. Written by the evaluation every run
    (fillfactor 50 in the migration, so the rewrites stay on their page) and by
    rule edits.
    """

    __tablename__ = "alert_room_state"
    __table_args__ = (
        CheckConstraint(
            "(run_class IS NULL) = (run_start IS NULL)"
            " AND (run_class IS NULL) = (run_peak_ppm IS NULL)",
            name="run_complete",
        ),
    )

    rule_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    evaluated_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_class: Mapped[int | None] = mapped_column(SmallInteger)
    run_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_peak_ppm: Mapped[int | None]
    judged_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertNotification(DeliveryState, Base):
    """One message about an alert for one channel and recipient: the alerts' outbox.

    Written in the evaluation's transaction, so a crash never loses one;
    delivered by the jobs process with the outbox's retries and back-off.
    ``membership_id`` names the recipient of a mail (null for the webhook).
    """

    __tablename__ = "alert_notifications"
    __table_args__ = (
        UniqueConstraint(
            "alert_id",
            "event",
            "channel",
            "membership_id",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("event IN ('opened', 'cleared')", name="event_known"),
        CheckConstraint("channel IN ('mail', 'webhook')", name="channel_known"),
        Index(
            "ix_alert_notifications_pending",
            "next_attempt_at",
            postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
        ),
    )

    id: Mapped[BigId]
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
