"""What the dashboard keeps precomputed: each room's air-quality figures per day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class RoomAirDay(Base):
    """One room's 10-minute-grid statistics of one completed local day.

    Written by the jobs process (``app.services.dashboard.rollup``) so a month's
    medal, profile and daily table read 31 rows instead of a month of samples.
    ``sources`` names the installations behind the figures (clipped to the day):
    a reader takes the row only when what it may see gives the same text.
    ``sample_count`` / ``sample_co2_sum`` fingerprint the samples: a change (a
    late sample) makes the job recompute the day.
    """

    __tablename__ = "room_air_days"

    room_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str] = mapped_column(Text, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sources: Mapped[str] = mapped_column(Text, primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    co2_max: Mapped[float | None] = mapped_column(Double)
    co2_sum: Mapped[float] = mapped_column(Double)
    excess_points: Mapped[int] = mapped_column(Integer)
    excess_sum: Mapped[float] = mapped_column(Double)
    hour_of_day: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    hour_mean: Mapped[list[float]] = mapped_column(ARRAY(Double))
    sample_count: Mapped[int] = mapped_column(BigInteger)
    sample_co2_sum: Mapped[float] = mapped_column(Double)
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
