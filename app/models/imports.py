"""Where imported rows came from, so that an import can tell its own rows apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import utcnow


class ImportedRow(Base):
    """One row an import wrote, and the record of the source system it came from.

    Imports keep the source's ids; without this an id taken by a row someone
    made here looks just like the row an earlier run of the same import wrote,
    and the import would overwrite it. Ids are kept as text (integers and UUIDs).
    """

    __tablename__ = "imported_rows"
    __table_args__ = (UniqueConstraint("source", "model", "source_id"),)

    target_table: Mapped[str] = mapped_column(String(63), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    model: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
