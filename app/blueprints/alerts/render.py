"""Alert rules (type ``AlertRule``) and alerts (type ``Alert``) as resource objects."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.jsonapi import JsonObject, resource, to_one
from app.models import AlertRule, AlertWebhook
from app.services.access import Actor
from app.services.alerts.listing import AlertView
from app.services.series.epoch import to_epoch

RULE_TYPE = "AlertRule"
ALERT_TYPE = "Alert"
WEBHOOK_TYPE = "AlertWebhook"


def rule_resource(rule: AlertRule) -> JsonObject:
    """Render a rule; times of day as ``HH:MM``."""
    base = f"/api/v1/alert-rules/{rule.id}"
    return resource(
        RULE_TYPE,
        rule.id,
        {
            "name": rule.name,
            "kind": rule.kind.value,
            "threshold_ppm": rule.threshold_ppm,
            "hysteresis_ppm": rule.hysteresis_ppm,
            "duration_s": rule.duration_s,
            "clear_duration_s": rule.clear_duration_s,
            "active_weekdays": rule.active_weekdays,
            "active_from": _clock(rule.active_from),
            "active_to": _clock(rule.active_to),
            "time_zone": rule.time_zone,
            "enabled": rule.enabled,
        },
        {
            "organization": to_one("Organization", rule.organization_id),
            "site": to_one("Site", rule.site_id),
            "room": to_one("Room", rule.room_id),
        },
        self_link=f"{base}/",
    )


def alert_resource(alert: AlertView) -> JsonObject:
    """Render an alert; times in epoch seconds like the rest of the API."""
    return resource(
        ALERT_TYPE,
        alert.id,
        {
            "kind": alert.kind.value,
            "state": alert.state.value,
            "since_s": to_epoch(alert.since),
            "opened_s": to_epoch(alert.opened_at),
            "cleared_s": None
            if alert.cleared_at is None
            else to_epoch(alert.cleared_at),
            "peak_ppm": alert.peak_ppm,
            "cleared_reason": None
            if alert.cleared_reason is None
            else alert.cleared_reason.value,
            "room_name": alert.room_name,
        },
        {
            "rule": to_one(RULE_TYPE, alert.rule_id),
            "organization": to_one("Organization", alert.organization_id),
            "site": to_one("Site", alert.site_id),
            "room": to_one("Room", alert.room_id),
            "installation": to_one("Installation", alert.installation_id),
        },
        self_link=f"/api/v1/alerts/{alert.id}/",
    )


def _clock(value: object) -> str | None:
    return None if value is None else format(value, "%H:%M")


def webhook_resource(hook: AlertWebhook, actor: Actor) -> JsonObject:
    """Render an organization's webhook: never its secret, and its whole address
    only to its OWNERs.

    A receiver's path or query often is its credential (chat services' incoming
    webhooks are URLs with a token in them), so members who may only read see the
    origin (``https://hooks.example.org``): where the alerts go, not how to post
    there.
    """
    url = hook.url if actor.is_owner(hook.organization_id) else _origin(hook.url)
    return resource(
        WEBHOOK_TYPE,
        hook.id,
        {"url": url},
        {"organization": to_one("Organization", hook.organization_id)},
        self_link=f"/api/v1/alert-webhooks/{hook.id}/",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
