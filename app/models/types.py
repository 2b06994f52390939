"""Column types and helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import BigInteger, DateTime, Identity
from sqlalchemy.orm import mapped_column

BigId = Annotated[int, mapped_column(BigInteger, Identity(), primary_key=True)]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)
