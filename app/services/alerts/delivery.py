"""Delivering the alerts' outbox: claim due rows, send one message per group, book it.

Due rows are claimed ``FOR UPDATE SKIP LOCKED`` (a concurrent run takes other
rows) and grouped per channel, recipient, rule and room: one mail or webhook
call per group, so what the quiet period held back arrives as one digest. A
group is marked delivered only after the SMTP server or the receiver accepted
it; a failure counts an attempt and backs off like the publisher outbox
(``OUTBOX_MAX_ATTEMPTS``, ``OUTBOX_BACKOFF_S``, ``OUTBOX_BACKOFF_MAX_S``; the
same SQL). A crash between sending and committing sends that group once more.
Webhook calls are signed like the publishers' (``X-Airq-Signature-256``).

One group's trouble stays its own: an unexpected error while building or
sending a message counts a failed attempt for that group (and is logged with
its traceback) instead of ending the run, which would send the run's other
messages again and again. A destination that does not answer (the SMTP server
down or hanging, a receiver timing out) is skipped for the rest of the run, its
other groups left due for the next one: a hanging server costs one timeout per
run, not one per message. A mail whose member has opted out since it was
queued, was deactivated or has no address any more is dropped unsent.
"""

from __future__ import annotations

import json
import logging
import smtplib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

import httpx
from flask_babel import force_locale

from flask import render_template

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.models.types import utcnow
from app.services.access import Actor
from app.services.accounts.mail import Mail, MailError, SmtpSettings, send
from app.services.alerts import destinations, messages
from app.services.outbox.delivery import DeliverySettings
from app.services.outbox.ledger import Ledger, OutboxTable
from app.services.outbox.publishers import PublishError
from app.services.outbox.publishers.webhook import SIGNATURE_HEADER, Webhook, signature

log = logging.getLogger(__name__)

#: One claimed row with its alert, rule, room and recipient.
Row = dict[str, Any]

NOTIFICATIONS = OutboxTable.named("alert_notifications")

CLAIM = text(
    """
SELECT n.id, n.event, n.channel, n.membership_id,
       a.id AS alert_id, a.rule_id, a.room_id, a.installation_id, a.since,
       a.opened_at, a.cleared_at, a.cleared_reason, a.peak_ppm,
       r.kind, r.name AS rule_name, r.threshold_ppm, r.hysteresis_ppm,
       r.time_zone, r.organization_id,
       ro.name AS room_name, s.id AS site_id, s.name AS site_name,
       u.email, u.locale, w.url AS webhook_url, w.secret AS webhook_secret,
       coalesce(m.notify_alerts AND u.is_active AND u.email <> '', false) AS wanted
FROM alert_notifications AS n
JOIN alerts AS a ON a.id = n.alert_id
JOIN alert_rules AS r ON r.id = a.rule_id
JOIN rooms AS ro ON ro.id = a.room_id
JOIN sites AS s ON s.id = ro.site_id
LEFT JOIN memberships AS m ON m.id = n.membership_id
LEFT JOIN users AS u ON u.id = m.user_id
LEFT JOIN alert_webhooks AS w
  ON n.channel = 'webhook' AND w.organization_id = r.organization_id
WHERE n.delivered_at IS NULL AND n.parked_at IS NULL AND n.next_attempt_at <= :now
ORDER BY n.next_attempt_at, n.id
LIMIT :limit
FOR UPDATE OF n SKIP LOCKED
"""
)


#: Mails to a member who no longer wants them (opted out, deactivated, no address).
DROP = text("DELETE FROM alert_notifications WHERE id = ANY(:ids)")


@dataclass(frozen=True)
class Channels:
    """Where messages go: SMTP, the webhooks' client, and what mails show.

    ``webhook`` posts to an organization's own webhook, else to the operator-wide
    ``ALERTS_WEBHOOK_URL`` (its settings; empty when not set). An organization's
    webhook is called only at a public address unless ``allow_private``
    (``ALERTS_WEBHOOK_ALLOW_PRIVATE``); see :mod:`.destinations`.
    """

    smtp: SmtpSettings
    webhook: Webhook
    mail: messages.MailContext
    allow_private: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any], client: httpx.Client) -> Channels:
        """Read the ``EMAIL_*``, ``ALERTS_WEBHOOK_*`` and ``SITE_*`` settings."""
        hook_settings = {
            "WEBHOOK_URL": config["ALERTS_WEBHOOK_URL"] or "",
            "WEBHOOK_SECRET": config["ALERTS_WEBHOOK_SECRET"] or "",
        }
        return cls(
            SmtpSettings.from_config(config),
            Webhook(hook_settings, client),
            messages.MailContext.from_config(config),
            allow_private=bool(config["ALERTS_WEBHOOK_ALLOW_PRIVATE"]),
        )


@dataclass
class AlertDeliveryResult:
    """Row counts of one run."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    parked: int = 0
    messages: int = 0
    deferred: int = 0
    dropped: int = 0


def deliver(
    session: Session,
    actor: Actor,
    channels: Channels,
    settings: DeliverySettings,
    *,
    now: datetime | None = None,
) -> AlertDeliveryResult:
    """Send the due alert messages once.

    Raises:
        ForbiddenError: the actor is not SYSTEM.
    """
    if not actor.is_system:
        raise ForbiddenError("Only the jobs process delivers alert messages.")
    now = now or utcnow()
    result = AlertDeliveryResult()
    ledger = Ledger(session, NOTIFICATIONS, settings, now, result)
    rows = session.execute(CLAIM, {"now": now, "limit": settings.batch_size}).mappings()
    claimed = sorted((dict(row) for row in rows), key=_group)
    result.claimed = len(claimed)
    unreachable: set[str] = set()
    for _, group in groupby(claimed, key=_group):
        items = list(group)
        ids = [row["id"] for row in items]
        if items[0]["channel"] == "mail" and not items[0]["wanted"]:
            session.execute(DROP, {"ids": ids})
            result.dropped += len(ids)
            continue
        destination = _destination(channels, items[0])
        if destination in unreachable:
            result.deferred += len(ids)
            continue
        try:
            _send(channels, items)
        except MailError as exc:
            if _server_trouble(exc):
                unreachable.add(destination)
            ledger.failed(ids, exc, permanent=exc.permanent)
            continue
        except PublishError as exc:
            if exc.unreachable:
                unreachable.add(destination)
            ledger.failed(ids, exc, permanent=exc.permanent)
            continue
        except Exception as exc:
            channel = items[0]["channel"]
            log.exception("alerts: a %s message failed (rows %s)", channel, ids)
            error = PublishError(f"{channel}: {type(exc).__name__}: {exc}")
            ledger.failed(ids, error, permanent=False)
            continue
        ledger.delivered(ids)
        result.messages += 1
    return result


def _destination(channels: Channels, row: Row) -> str:
    """Who receives a group's message, as far as being unreachable goes: the
    SMTP server, or the webhook's URL."""
    if row["channel"] == "mail":
        return "mail"
    return str(row["webhook_url"] or channels.webhook.settings["WEBHOOK_URL"])


def _server_trouble(exc: MailError) -> bool:
    """Whether a mail failed for a reason of the server, not of the message:
    the server is unreachable, hangs, hangs up or refuses the connection."""
    cause = exc.__cause__
    if isinstance(cause, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    # smtplib's refusals of a message are OSErrors too; sockets' errors are not theirs
    return isinstance(cause, OSError) and not isinstance(cause, smtplib.SMTPException)


def _group(row: Row) -> tuple[str, int, int, int]:
    return row["channel"], row["membership_id"] or 0, row["rule_id"], row["room_id"]


def _send(channels: Channels, items: Sequence[Row]) -> None:
    """Send one group's message.

    Raises:
        MailError: the SMTP server refused or is unreachable.
        PublishError: the webhook receiver refused or is unreachable.
    """
    first = items[0]
    if first["channel"] == "mail":
        mail = _mail(channels.mail, items)
        send(channels.smtp, mail)
        return
    target, secret = _hook_target(channels, first)
    body = json.dumps(messages.webhook_document(items), separators=(",", ":")).encode(
        "utf-8"
    )
    channels.webhook.post(
        target.url,
        content=body,
        headers={
            **target.headers,
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, body),
            "X-Airq-Event": "alerts",
            "X-Airq-Delivery": str(uuid.uuid4()),
        },
        extensions=target.extensions,
    )


def _hook_target(channels: Channels, row: Row) -> tuple[destinations.Pinned, str]:
    """The organization's own webhook (at a checked address), else the operator-wide one.

    Raises:
        PublishError: neither is set (any more), or the organization's resolves
            to a non-public address: parked at once; its name does not
            resolve: retried.
    """
    if row["webhook_url"]:
        pinned = _pinned(row["webhook_url"], channels.allow_private)
        return pinned, row["webhook_secret"]
    operator = channels.webhook.settings
    if operator["WEBHOOK_URL"]:  # the operator's own choice: trusted as it is
        return destinations.Pinned(operator["WEBHOOK_URL"]), operator["WEBHOOK_SECRET"]
    raise PublishError("the organization has no webhook any more", permanent=True)


def _pinned(url: str, allow_private: bool) -> destinations.Pinned:
    """Resolve and check an organization's webhook once, for this call.

    Raises:
        PublishError: see :func:`_hook_target`.
    """
    try:
        return destinations.pin(url, allow_private=allow_private)
    except destinations.NotPublic as exc:
        raise PublishError(
            f"webhook: refused: {exc} (ALERTS_WEBHOOK_ALLOW_PRIVATE is off); "
            "set a public address",
            permanent=True,
        ) from None
    except httpx.InvalidURL as exc:
        raise PublishError(f"webhook: not a valid URL: {exc}", permanent=True) from None
    except OSError as exc:
        raise PublishError(
            f"webhook: cannot resolve {httpx.URL(url).host}: {exc}", unreachable=True
        ) from None


def _mail(context: messages.MailContext, items: Sequence[Row]) -> Mail:
    first = items[0]
    events = [messages.event_view(row) for row in items]
    with force_locale(first["locale"] or context.default_locale):
        values = {
            "events": events,
            "room_name": first["room_name"],
            "site_name": first["site_name"],
            "site": context.site_name,
            "chart_url": context.chart_url(first),
        }
        subject = render_template("alerts/email/alert_subject.txt", **values)
        body = render_template("alerts/email/alert_message.txt", **values)
    return Mail(
        to=first["email"],
        subject=context.subject_prefix + " ".join(subject.split()),
        body=body,
    )
