"""Booking the outcome of sending claimed outbox rows, for either outbox.

The publishers' ``outbox`` and the alerts' ``alert_notifications`` share the
columns and the rule: a row is delivered only after the remote accepted it; a
failure counts an attempt and backs off ``backoff * 2^(attempts-1)`` (capped),
and is parked after ``max_attempts`` or at once when permanent. One ledger
books both, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import TextClause
from sqlalchemy.orm import Session

from app.services.outbox import queries as q

if TYPE_CHECKING:
    from app.services.outbox.delivery import DeliverySettings


class Tally(Protocol):
    """The row counts a ledger keeps (a run's result)."""

    delivered: int
    failed: int
    parked: int


@dataclass(frozen=True)
class OutboxTable:
    """The statements that book the rows of one outbox table."""

    delivered: TextClause
    failed: TextClause

    @classmethod
    def named(cls, table: str) -> OutboxTable:
        """The statements for ``table`` (a constant name)."""
        return cls(q.delivered(table), q.failed(table))


@dataclass
class Ledger:
    """Books one run's sent and failed rows of ``table`` into ``tally``."""

    session: Session
    table: OutboxTable
    settings: DeliverySettings
    now: datetime
    tally: Tally

    def delivered(self, ids: list[int]) -> None:
        """The remote accepted the rows ``ids``."""
        self.session.execute(self.table.delivered, {"ids": ids, "now": self.now})
        self.tally.delivered += len(ids)

    def failed(self, ids: list[int], error: Exception, *, permanent: bool) -> None:
        """Sending the rows ``ids`` failed: count an attempt, back off or park."""
        parked = self.session.execute(
            self.table.failed,
            {
                "ids": ids,
                "now": self.now,
                "error": str(error)[:1000],
                "base": float(self.settings.backoff_s),
                "cap": float(self.settings.backoff_max_s),
                "max_attempts": self.settings.max_attempts,
                "permanent": permanent,
            },
        ).scalar_one()
        self.tally.failed += len(ids)
        self.tally.parked += int(parked or 0)
