"""Queueing the messages about alerts: the alerts' durable outbox.

Rows are written in the evaluation's transaction, one per alert, event
(opened, cleared), channel and recipient: a mail to every member of the rule's
organization who opted in (``memberships.notify_alerts``) and has an address,
and one webhook call when the rule's organization set its webhook
(``alert_webhooks``, see ``webhooks.py``) or the operator-wide ``ALERTS_WEBHOOK_URL``
is set. The quiet period holds
an opening back until ``ALERTS_QUIET_PERIOD_S`` after the last opening message
of its room and rule to that recipient; what is held goes out as one digest
(``delivery`` groups due rows). A clearing waits for its held opening, so both
arrive together. Alerts opened longer ago than :data:`HORIZON` (found in late
or imported samples) are recorded but not announced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

#: Openings older than this are history, not news: no message.
HORIZON = timedelta(days=1)


@dataclass(frozen=True)
class NotifySettings:
    """Quiet period and whether the operator-wide webhook is on (for every org)."""

    quiet_s: int = 1800
    webhook: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NotifySettings:
        """Read ``ALERTS_QUIET_PERIOD_S`` and ``ALERTS_WEBHOOK_URL``."""
        return cls(
            quiet_s=int(config["ALERTS_QUIET_PERIOD_S"]),
            webhook=bool(config["ALERTS_WEBHOOK_URL"]),
        )


# The recipients of an event: opted-in members with an address, and the webhook
# (the organization's own, or the operator-wide one).
_RECIPIENTS = """
WITH events AS (
    SELECT e.alert_id, a.rule_id, a.room_id, r.organization_id
    FROM unnest(CAST(:ids AS bigint[])) AS e(alert_id)
    JOIN alerts AS a ON a.id = e.alert_id
    JOIN alert_rules AS r ON r.id = a.rule_id
    WHERE a.opened_at >= :horizon
),
recipients AS (
    SELECT ev.*, 'mail' AS channel, m.id AS membership_id
    FROM events AS ev
    JOIN memberships AS m
      ON m.organization_id = ev.organization_id AND m.notify_alerts
    JOIN users AS u ON u.id = m.user_id AND u.is_active AND u.email <> ''
    UNION ALL
    SELECT ev.*, 'webhook', NULL FROM events AS ev
    WHERE :webhook OR EXISTS (
        SELECT 1 FROM alert_webhooks AS w WHERE w.organization_id = ev.organization_id
    )
)
"""

_SAME_RECIPIENT = """
n.channel = x.channel AND n.membership_id IS NOT DISTINCT FROM x.membership_id
AND n.parked_at IS NULL
"""

OPENED = text(
    f"""{_RECIPIENTS}
INSERT INTO alert_notifications
    (alert_id, event, channel, membership_id, next_attempt_at)
SELECT x.alert_id, 'opened', x.channel, x.membership_id,
       greatest(:now, (
           SELECT max(CASE WHEN n.delivered_at IS NULL THEN n.next_attempt_at
                           ELSE n.delivered_at + make_interval(secs => :quiet) END)
           FROM alert_notifications AS n
           JOIN alerts AS o ON o.id = n.alert_id
           WHERE o.rule_id = x.rule_id AND o.room_id = x.room_id
             AND n.event = 'opened' AND {_SAME_RECIPIENT}))
FROM recipients AS x
ON CONFLICT DO NOTHING
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)

CLEARED = text(
    f"""{_RECIPIENTS}
INSERT INTO alert_notifications
    (alert_id, event, channel, membership_id, next_attempt_at)
SELECT x.alert_id, 'cleared', x.channel, x.membership_id,
       greatest(:now, (
           SELECT max(n.next_attempt_at) FROM alert_notifications AS n
           WHERE n.alert_id = x.alert_id AND n.event = 'opened'
             AND n.delivered_at IS NULL AND {_SAME_RECIPIENT}))
FROM recipients AS x
ON CONFLICT DO NOTHING
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)


def enqueue(
    session: Session,
    opened: Sequence[int],
    cleared: Sequence[int],
    settings: NotifySettings,
    now: datetime,
) -> int:
    """Queue the messages about alerts that ``opened`` and ``cleared`` in this run.

    Returns:
        How many rows were queued.
    """
    queued = 0
    common = {"horizon": now - HORIZON, "now": now, "webhook": settings.webhook}
    for statement, ids in ((OPENED, opened), (CLEARED, cleared)):
        if ids:
            params = {**common, "ids": list(ids), "quiet": settings.quiet_s}
            result = session.execute(statement, params)
            queued += int(getattr(result, "rowcount", 0) or 0)
    return queued
