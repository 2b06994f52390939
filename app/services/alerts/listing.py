"""Reading alerts: the API's filtered list, one alert, an organization's open ones.

Alerts are the organization's (members read them); ``open_alerts`` is what the
dashboard's overview shows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.models import Alert, AlertKind, AlertRule, ClearReason, Room
from app.services import access
from app.services.access import Actor
from app.services.tenancy.listing import Listing, Page, fetch_rows


class AlertState(enum.StrEnum):
    """``filter[state]``: still open, or cleared."""

    OPEN = "open"
    CLEARED = "cleared"


@dataclass(frozen=True)
class AlertView:
    """An alert with what the API and the pages show next to it."""

    id: int
    rule_id: int
    kind: AlertKind
    organization_id: int
    site_id: int
    room_id: int
    room_name: str
    installation_id: int | None
    since: datetime
    opened_at: datetime
    cleared_at: datetime | None
    peak_ppm: int | None
    cleared_reason: ClearReason | None

    @property
    def state(self) -> AlertState:
        """Open until cleared."""
        return AlertState.OPEN if self.cleared_at is None else AlertState.CLEARED


@dataclass(frozen=True)
class AlertFilters:
    """Filters of the list; ``start``/``end`` keep alerts open at some time between."""

    organization_id: int | None = None
    site_id: int | None = None
    room_id: int | None = None
    rule_id: int | None = None
    state: AlertState | None = None
    start: datetime | None = None
    end: datetime | None = None


def list_alerts(
    session: Session, actor: Actor, filters: AlertFilters, page: Page
) -> Listing[AlertView]:
    """List the alerts of ``actor``'s organizations, newest opening first.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_may_query(actor, Alert)
    stmt = access.scoped(_views(), Alert, actor)
    for condition in _conditions(filters):
        stmt = stmt.where(condition)
    rows, total = fetch_rows(session, stmt, page)
    return Listing(tuple(AlertView(*row) for row in rows), total)


def get_alert(session: Session, actor: Actor, alert_id: int) -> AlertView:
    """Return an alert of one of ``actor``'s organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such alert, or not the actor's.
    """
    access.require_may_query(actor, Alert)
    access.get_visible(session, actor, Alert, alert_id)
    row = session.execute(_views().where(Alert.id == alert_id)).one()
    return AlertView(*row)


def open_alerts(
    session: Session, actor: Actor, organization_id: int
) -> tuple[AlertView, ...]:
    """The open alerts of an organization ``actor`` belongs to (dashboard overview).

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    filters = AlertFilters(organization_id=organization_id, state=AlertState.OPEN)
    return list_alerts(session, actor, filters, Page()).items


def _views() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Alert.id,
            Alert.rule_id,
            AlertRule.kind,
            AlertRule.organization_id,
            Room.site_id,
            Alert.room_id,
            Room.name,
            Alert.installation_id,
            Alert.since,
            Alert.opened_at,
            Alert.cleared_at,
            Alert.peak_ppm,
            Alert.cleared_reason,
        )
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .join(Room, Room.id == Alert.room_id)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )


def _conditions(filters: AlertFilters) -> list[Any]:
    found: list[Any] = []
    if filters.organization_id is not None:
        found.append(AlertRule.organization_id == filters.organization_id)
    if filters.site_id is not None:
        found.append(Room.site_id == filters.site_id)
    if filters.room_id is not None:
        found.append(Alert.room_id == filters.room_id)
    if filters.rule_id is not None:
        found.append(Alert.rule_id == filters.rule_id)
    if filters.state is AlertState.OPEN:
        found.append(Alert.cleared_at.is_(None))
    elif filters.state is AlertState.CLEARED:
        found.append(Alert.cleared_at.is_not(None))
    if filters.start is not None:
        found.append(or_(Alert.cleared_at.is_(None), Alert.cleared_at >= filters.start))
    if filters.end is not None:
        found.append(Alert.opened_at <= filters.end)
    return found
