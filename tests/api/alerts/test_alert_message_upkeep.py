"""Alert messages once sent or given up: retention removes the delivered ones after
``OUTBOX_RETENTION_DAYS``, and ``/metrics`` counts the pending and parked ones."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import AlertNotification
from app.models.types import utcnow
from app.services.access import SYSTEM
from app.services.alerts import evaluate, notify
from app.services.ops import retention
from tests.api.alerts.conftest import START, World, deliver, feed
from tests.support.smtp import Mailbox


def _queued(session: Session, world: World) -> tuple[int, int]:
    """Queue one opening mail and one opening webhook call; return their ids."""
    feed(session, world.node, START, (12, 1800))
    settings = notify.NotifySettings(quiet_s=0, webhook=True)
    assert evaluate.evaluate(session, SYSTEM, settings).queued == 2
    ids = dict(
        session.execute(select(AlertNotification.channel, AlertNotification.id)).all()
    )
    return ids["mail"], ids["webhook"]


def test_retention_purges_alert_messages_delivered_long_ago(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    mail, call = _queued(session, world)
    assert deliver(session, app, http).delivered == 1  # the mail; no webhook is set
    session.execute(
        update(AlertNotification)
        .where(AlertNotification.id == mail)
        .values(delivered_at=utcnow() - timedelta(days=31))
    )

    result = retention.apply(session, SYSTEM, samples_days=0, outbox_days=30)

    left = session.scalars(select(AlertNotification.id)).all()
    assert result.alert_messages_purged == 1
    assert left == [call]  # not delivered: kept, however old


def test_metrics_count_undelivered_alert_messages_by_channel_and_state(
    session: Session, client: FlaskClient, world: World
) -> None:
    _, call = _queued(session, world)
    session.execute(
        update(AlertNotification)
        .where(AlertNotification.id == call)
        .values(parked_at=utcnow())
    )
    session.flush()
    assert session.scalar(select(func.count()).select_from(AlertNotification)) == 2

    body = client.get("/metrics").get_data(as_text=True)
    gauges = {
        (sample.labels["channel"], sample.labels["state"]): sample.value
        for family in text_string_to_metric_families(body)
        if family.name == "airq_alert_messages"
        for sample in family.samples
    }

    assert gauges == {
        ("mail", "pending"): 1,
        ("mail", "parked"): 0,
        ("webhook", "pending"): 0,
        ("webhook", "parked"): 1,
    }
