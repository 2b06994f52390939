"""What a rule change does to the CO2 evaluation state its rooms carry between runs.

The state (``alert_room_state``) seeds each run with the room's current run of one
class, judged by the rule's levels, durations and hours. When those change, the
room's run starts over with its next sample under the new settings (an alert still
open stays open and clears once the new clearing condition holds; nothing already
evaluated is judged again, not even when a late sample makes the evaluation
recompute the room: it reads no sample from before ``judged_from``). When the rule's scope, kind or enabled flag changes,
the state goes: its rooms take the exact recomputation at their next samples,
like the rooms of a new rule.
"""

from __future__ import annotations

from sqlalchemy import delete, inspect, update
from sqlalchemy.orm import Session

from app.models import AlertRoomState, AlertRule

#: What judges a run: a change restarts the rooms' runs.
JUDGING = (
    "threshold_ppm",
    "hysteresis_ppm",
    "duration_s",
    "clear_duration_s",
    "active_weekdays",
    "active_from",
    "active_to",
    "time_zone",
)
#: Which rooms a rule evaluates at all: a change drops their state.
SCOPING = ("kind", "enabled", "site_id", "room_id")


def rule_changed(session: Session, rule: AlertRule) -> None:
    """Restart or drop the state of ``rule``'s rooms by what changed (before flush)."""
    attrs = inspect(rule).attrs
    changed = {key for key in (*JUDGING, *SCOPING) if attrs[key].history.has_changes()}
    where = AlertRoomState.rule_id == rule.id
    if changed & set(SCOPING):
        session.execute(delete(AlertRoomState).where(where))
    elif changed:
        session.execute(
            update(AlertRoomState)
            .where(where)
            .values(
                run_class=None,
                run_start=None,
                run_peak_ppm=None,
                judged_from=AlertRoomState.evaluated_to,
            )
        )
