"""Evaluating every alert rule against the samples, set-based, in the jobs process.

A run takes the node ranges that ingest logged since the last run (the
``alert_dirty`` trigger log). Each (CO2 rule, room) with new samples continues
from its state (``alert_room_state``): only the samples after it are read,
seeded with the room's current run, one statement for all rooms. A room without
state, or with a late sample (at or before its state), has its episodes
recomputed from the raw samples of the affected range instead. Either way the
episodes are reconciled with the stored alerts (open, clear, re-open, never a
second alert for one episode) and the state is written back. Silence is checked
for every installed node (closing the silence alerts of nodes that left), the
open alerts of rules that no longer cover their room (disabled, narrowed) close, and
the messages about what opened and cleared are queued in the same transaction.
Runs take turns on a transaction lock, and the unique key
``(rule, room, opened_at)`` makes a re-run harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.models.types import utcnow
from app.services.access import Actor
from app.services.alerts import notify
from app.services.alerts import sql as q


@dataclass
class EvaluationResult:
    """What one run saw and did."""

    dirty_nodes: int = 0
    opened: int = 0
    cleared: int = 0
    queued: int = 0


def evaluate(
    session: Session,
    actor: Actor,
    settings: notify.NotifySettings,
    *,
    now: datetime | None = None,
) -> EvaluationResult:
    """Evaluate every enabled rule once and queue the messages.

    Args:
        session: the job's session (everything commits together).
        actor: must be SYSTEM.
        settings: quiet period and channels of the messages.
        now: the run's clock (silence is measured against it).

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the jobs process evaluates alerts.")
    now = now or utcnow()
    result = EvaluationResult()
    session.execute(q.LOCK)
    session.execute(q.WORK_MEM)
    session.execute(q.NO_JIT)
    session.execute(q.TAKE_DIRTY)
    result.dirty_nodes = int(
        session.execute(text("SELECT count(*) FROM alert_run_dirty")).scalar_one()
    )
    opened: list[int] = []
    cleared: list[int] = []
    cleared += session.execute(q.CLEAR_SILENT).scalars()
    cleared += session.execute(q.CLOSE_UNINSTALLED, {"now": now}).scalars()
    cleared += session.execute(q.CLOSE_RULE_CHANGED, {"now": now}).scalars()
    opened += session.execute(q.OPEN_SILENT, {"now": now}).scalars()
    _co2(session, now, opened, cleared)
    session.execute(text("DROP TABLE alert_run_dirty"))
    result.opened, result.cleared = len(opened), len(cleared)
    result.queued = notify.enqueue(session, opened, cleared, settings, now)
    return result


def _co2(
    session: Session, now: datetime, opened: list[int], cleared: list[int]
) -> None:
    """Evaluate the CO2 rules in the rooms due (new samples, or held back)."""
    session.execute(q.CO2_TARGETS, {"now": now, "hold_back_s": q.HOLD_BACK_S})
    # the rooms due: planned for as many rows as there are (1,000s in a catch-up)
    session.execute(q.ANALYZE_TARGETS)
    targets = session.execute(text("SELECT count(*) FROM alert_run_targets"))
    if targets.scalar_one():
        session.execute(q.CO2_RUNS)
        session.execute(q.CO2_EPISODES)
        cleared += session.execute(q.UPDATE_EPISODES).scalars()
        for alert_id, is_cleared in session.execute(q.INSERT_EPISODES):
            opened.append(alert_id)
            if is_cleared:
                cleared.append(alert_id)
        session.execute(q.SAVE_STATE)
        session.execute(text("DROP TABLE alert_run_episodes, alert_run_runs"))
    session.execute(text("DROP TABLE alert_run_targets"))
