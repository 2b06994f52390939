"""The publisher outbox: public samples waiting to be delivered to IoT data platforms.

Rows are written by ingest in the same transaction as the samples (one per sample
and enabled publisher) and delivered by the jobs process with retries, so nothing
is lost when a remote platform is down and ingest never waits for one.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import BigId, utcnow


class DeliveryState:
    """The columns of an outbox row's delivery, shared by every outbox table.

    The delivery SQL (``app.services.outbox.queries``: ``delivered``, ``failed``)
    works on any table with them: the publishers' ``outbox`` and the alerts'
    ``alert_notifications``.
    """

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    parked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxEntry(DeliveryState, Base):
    """One sample to deliver to one publisher.

    State: pending (neither ``delivered_at`` nor ``parked_at``), delivered, or parked
    after too many failures (visible to operators, retried on request).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("publisher", "node_id", "time"),
        Index(
            "ix_outbox_pending",
            "publisher",
            "next_attempt_at",
            postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
        ),
        Index(
            "ix_outbox_delivered_at",
            "delivered_at",
            postgresql_where=text("delivered_at IS NOT NULL"),
        ),
    )

    id: Mapped[BigId]
    publisher: Mapped[str] = mapped_column(String(30))
    installation_id: Mapped[int] = mapped_column(
        ForeignKey("installations.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[uuid.UUID]
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
