"""Bookkeeping of the scheduled jobs: one row per job with its latest run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class JobRun(Base):
    """The latest run of one job, written by whichever jobs process ran it.

    ``last_started_at`` doubles as the "already ran this interval" marker that
    keeps several jobs processes from running a job more than once per interval.
    """

    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_duration_s: Mapped[float | None] = mapped_column(Float)
    last_result: Mapped[str | None] = mapped_column(String(10))
    last_counts: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_runner: Mapped[str | None] = mapped_column(String(100))
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    failures: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
