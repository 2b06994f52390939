"""What operators see of alerts in the back office: rules, open alerts, the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.models import AlertRule, Organization
from app.services.access import Actor
from app.services.alerts.listing import AlertFilters, AlertState, AlertView, list_alerts
from app.services.outbox import queries as outbox_queries
from app.services.tenancy.listing import Page

#: Rows of each list the page shows (newest first); the API has the rest.
LIMIT = 200

OUTBOX = outbox_queries.status(
    "alert_notifications", "channel", "next_attempt_at", "next_due"
)

FAILING = text(
    """
SELECT n.id, n.alert_id, n.event, n.channel, n.attempts, n.next_attempt_at,
       n.parked_at, n.last_error
FROM alert_notifications AS n
WHERE n.delivered_at IS NULL AND n.attempts > 0
ORDER BY n.next_attempt_at DESC, n.id DESC
LIMIT :limit
"""
)


@dataclass(frozen=True)
class AlertsOverview:
    """The back office's alerts page."""

    rules: list[tuple[AlertRule, str]]
    open_alerts: list[tuple[AlertView, str]]
    outbox: list[Any]
    failing: list[Any]


def overview(session: Session, actor: Actor) -> AlertsOverview:
    """Every rule and open alert (with its organization's name), the outbox.

    Raises:
        ForbiddenError: the actor is neither staff nor SYSTEM.
    """
    if not (actor.is_system or actor.is_staff):
        raise ForbiddenError("Only operators see every organization's alerts.")
    rules = session.execute(
        select(AlertRule, Organization.name)
        .join(Organization, Organization.id == AlertRule.organization_id)
        .order_by(Organization.name, AlertRule.name, AlertRule.id)
        .limit(LIMIT)
    ).all()
    open_alerts = list_alerts(
        session, actor, AlertFilters(state=AlertState.OPEN), Page(limit=LIMIT)
    ).items
    org_ids = {alert.organization_id for alert in open_alerts}
    found = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))
    )
    names = {org_id: name for org_id, name in found}
    return AlertsOverview(
        rules=[(rule, name) for rule, name in rules],
        open_alerts=[(alert, names[alert.organization_id]) for alert in open_alerts],
        outbox=list(session.execute(OUTBOX)),
        failing=list(session.execute(FAILING, {"limit": LIMIT})),
    )
