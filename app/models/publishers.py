"""Where each public installation lives on each IoT data platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import BigId, utcnow


class PublisherRegistration(Base):
    """An installation registered on a remote platform (Managair's StadtpulsSensor).

    ``remote_id`` is the platform's id (Stadtpuls sensor id, openSenseMap box id);
    ``remote_meta`` holds what posting needs besides it (e.g. the senseBox's
    sensor ids and access token).
    """

    __tablename__ = "publisher_registrations"
    __table_args__ = (
        UniqueConstraint("publisher", "installation_id"),
        UniqueConstraint("publisher", "remote_id"),
    )

    id: Mapped[BigId]
    publisher: Mapped[str] = mapped_column(String(30))
    installation_id: Mapped[int] = mapped_column(
        ForeignKey("installations.id", ondelete="CASCADE"), index=True
    )
    remote_id: Mapped[str] = mapped_column(String(100))
    remote_meta: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default="{}"
    )
    registered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
