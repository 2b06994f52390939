"""The alert tests' world: a room with a sensor, a rule, a member who wants mail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from flask import Flask

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Alert, AlertRule, Node, Role, Room
from app.models.types import utcnow
from app.services.access import SYSTEM
from app.services.alerts import delivery, evaluate, notify
from app.services.outbox import publishers
from app.services.outbox.delivery import DeliverySettings
from tests.factories import (
    make_alert_rule,
    make_membership,
    make_samples,
    make_user,
)
from tests.support.worlds import installed_room

MINUTE = timedelta(minutes=1)
RETRY = DeliverySettings(batch_size=100, max_attempts=5, backoff_s=1, backoff_max_s=10)
SETTINGS = notify.NotifySettings(quiet_s=0)


@dataclass
class World:
    """One room with one sensor, a rule, and a member who wants mail."""

    room: Room
    node: Node
    rule: AlertRule
    email: str


@pytest.fixture
def world(session: Session) -> World:
    placed = installed_room(
        session, from_time=SINCE, is_public=False, room_name="Klasse 5a"
    )
    org = placed.organization
    member = make_user(session, email="lehrerin@example.org")
    make_membership(session, member, org, Role.INSPECTOR).notify_alerts = True
    quiet = make_user(session, email="quiet@example.org")  # did not opt in
    make_membership(session, quiet, org, Role.OWNER)
    rule = make_alert_rule(session, org)
    session.flush()
    return World(placed.room, placed.node, rule, member.email)


@pytest.fixture
def http(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """The HTTP client of the webhook channel; mails link to ``SITE_URL``."""
    monkeypatch.setitem(app.config, "SITE_URL", "https://co2.example.org")
    with publishers.http_client(1.0) as http:
        yield http


@pytest.fixture
def private_hooks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Organizations' webhooks may be on loopback, where the tests' receivers are."""
    monkeypatch.setitem(app.config, "ALERTS_WEBHOOK_ALLOW_PRIVATE", True)


START = utcnow().replace(second=0, microsecond=0) - timedelta(hours=4)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)  # the installation (before the DST test)


def feed(
    session: Session, node: Node, start: datetime, *runs: tuple[int, int]
) -> datetime:
    """Samples every minute from ``start``: ``(minutes, ppm)`` runs; returns the end."""
    at = start
    for minutes, ppm in runs:
        make_samples(session, node, start=at, count=minutes, step=MINUTE, co2_ppm=ppm)
        at += minutes * MINUTE
    return at


def run(session: Session, now: datetime | None = None) -> evaluate.EvaluationResult:
    return evaluate.evaluate(session, SYSTEM, SETTINGS, now=now)


def deliver(
    session: Session, app: Flask, http: httpx.Client, now: datetime | None = None
) -> delivery.AlertDeliveryResult:
    channels = delivery.Channels.from_config(app.config, http)
    return delivery.deliver(session, SYSTEM, channels, RETRY, now=now)


def alerts(session: Session, rule: AlertRule) -> list[Alert]:
    session.expire_all()  # the evaluation wrote with plain SQL
    return list(
        session.scalars(
            select(Alert).where(Alert.rule_id == rule.id).order_by(Alert.opened_at)
        )
    )
