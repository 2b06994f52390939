"""The bodies of the scheduled jobs: each reads its settings and calls one service."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from flask import current_app

from sqlalchemy.orm import Session

from app.services.access import SYSTEM
from app.services.alerts import delivery as alert_delivery
from app.services.alerts import evaluate, notify
from app.services.dashboard import rollup
from app.services.fidelity import liveness
from app.services.ops import retention
from app.services.outbox import delivery, publishers


def check_fidelity(session: Session) -> dict[str, int]:
    """Classify every node by the age of its newest sample."""
    result = liveness.check_all(
        session, SYSTEM, limit_s=current_app.config["NODE_FIDELITY_LIMIT_S"]
    )
    return {"nodes": result.nodes, **asdict(result)}


def deliver_outbox(session: Session) -> dict[str, int]:
    """Deliver due outbox rows to the enabled publishers."""
    config = current_app.config
    names = publishers.enabled_names(config)
    with publishers.http_client(config["OUTBOX_TIMEOUT_S"]) as client:
        result = delivery.deliver(
            session,
            SYSTEM,
            publishers.build(names, config, client),
            delivery.DeliverySettings.from_config(config),
            checkpoint=session.commit,  # book each accepted batch at once
        )
    return asdict(result)


def evaluate_alerts(session: Session) -> dict[str, int]:
    """Open and clear alerts from the samples logged since the last run."""
    settings = notify.NotifySettings.from_config(current_app.config)
    return asdict(evaluate.evaluate(session, SYSTEM, settings))


def deliver_alerts(session: Session) -> dict[str, int]:
    """Send the due alert messages (mail, webhook) with the outbox's retries."""
    config = current_app.config
    with publishers.http_client(config["OUTBOX_TIMEOUT_S"]) as client:
        result = alert_delivery.deliver(
            session,
            SYSTEM,
            alert_delivery.Channels.from_config(config, client),
            delivery.DeliverySettings.from_config(config),
        )
    return asdict(result)


def apply_retention(session: Session) -> dict[str, int]:
    """Drop expired sample chunks and delivered outbox rows."""
    config = current_app.config
    result = retention.apply(
        session,
        SYSTEM,
        samples_days=config["SAMPLES_RETENTION_DAYS"],
        outbox_days=config["OUTBOX_RETENTION_DAYS"],
    )
    return asdict(result)


#: Days the dashboard rollup computes per run (a backfill goes on next run).
ROLLUP_DAYS_PER_RUN = 7


def roll_up_room_days(session: Session) -> dict[str, int]:
    """Write each room's air-quality figures of the completed days (late ones again)."""
    config = current_app.config
    result = rollup.refresh(
        session,
        SYSTEM,
        timezone=config["ANALYSIS_TIMEZONE"],
        now=datetime.now(UTC),
        days_back=config["DASHBOARD_ROLLUP_DAYS"],
        max_days=ROLLUP_DAYS_PER_RUN,
    )
    return asdict(result)
