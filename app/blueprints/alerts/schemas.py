"""Attributes, filters and OpenAPI descriptions of alert rules and alerts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range

from app.blueprints.docs import Related, document_schemas
from app.jsonapi.attributes import not_blank
from app.jsonapi.fields import Trimmed, WholeNumber
from app.models import AlertKind
from app.models.samples import CO2_PPM_MAX
from app.services import zones

DAY_S = 86_400
KINDS = [kind.value for kind in AlertKind]


WEEKDAYS_MAX = 7


def _known_zone(value: str) -> None:
    # A lookup by ZoneInfo opens files by the name: a folder ("Europe") or an
    # overlong name raised OSError (a 500); a set holds only real zone names.
    if value not in zones.PLACES:
        raise ma.ValidationError(
            "Not a known time zone (an IANA name such as Europe/Berlin)."
        )


def _distinct(days: list[int]) -> None:
    if len(set(days)) != len(days):
        raise ma.ValidationError("Give each weekday once.")


class Weekdays(ma.fields.List[int]):
    """ISO weekdays; a list too long is one error, before its items are read."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, list) and len(value) > WEEKDAYS_MAX:
            raise ma.ValidationError(f"Longer than maximum length {WEEKDAYS_MAX}.")
        return super()._deserialize(value, attr, data, **kwargs)


def _plain_url(value: str) -> None:
    """A URL the calls can use as it is, without credentials (members read it)."""
    parts = urlsplit(value)
    if "@" in parts.netloc:
        raise ma.ValidationError(
            "Leave user name and password out of the URL: every member reads it, "
            "and the secret signs the calls."
        )
    try:
        port = parts.port
        httpx.URL(value)
    except ValueError:
        port = 0
    except httpx.InvalidURL:
        raise ma.ValidationError("Not a valid URL.") from None
    if port is not None and not 1 <= port <= 65_535:
        raise ma.ValidationError("The port must be between 1 and 65535.")


class RuleAttributesSchema(ma.Schema):
    """A rule; what a create leaves out takes the kind's defaults."""

    name = Trimmed(required=True, validate=[Length(max=100), not_blank])
    kind = ma.fields.String(
        required=True,
        validate=OneOf(KINDS, error='"{input}" is not a valid choice.'),
        metadata={"description": "co2 (CO2 at or above a threshold) or silent"},
    )
    threshold_ppm = WholeNumber(
        allow_none=True,
        validate=Range(min=1, max=CO2_PPM_MAX),
        metadata={"description": "co2: opens at or above this (default 1500)"},
    )
    hysteresis_ppm = WholeNumber(
        validate=Range(min=0, max=CO2_PPM_MAX),
        metadata={"description": "co2: clears below threshold minus this (100)"},
    )
    duration_s = WholeNumber(
        validate=Range(min=1, max=30 * DAY_S),
        metadata={"description": "seconds the condition must hold (600; silent 7200)"},
    )
    clear_duration_s = WholeNumber(
        validate=Range(min=0, max=DAY_S),
        metadata={"description": "co2: seconds below the clear level to clear (300)"},
    )
    active_weekdays = Weekdays(
        WholeNumber(validate=Range(min=1, max=7)),
        allow_none=True,
        validate=[Length(min=1, max=WEEKDAYS_MAX), _distinct],
        metadata={
            "description": "ISO weekdays (1 Monday .. 7 Sunday), each once; "
            "null: every day",
            "uniqueItems": True,
        },
    )
    active_from = ma.fields.Time(
        format="%H:%M",
        allow_none=True,
        metadata={"description": "local start of the active hours, HH:MM"},
    )
    active_to = ma.fields.Time(
        format="%H:%M",
        allow_none=True,
        metadata={
            "description": "local end (exclusive), HH:MM; before start: overnight"
        },
    )
    time_zone = ma.fields.String(
        validate=[Length(max=64), _known_zone],
        metadata={"description": "IANA zone of the active hours (ANALYSIS_TIMEZONE)"},
    )
    enabled = ma.fields.Boolean()


class AlertAttributesSchema(ma.Schema):
    """An alert (read-only)."""

    kind = ma.fields.String(dump_only=True)
    state = ma.fields.String(dump_only=True)
    since_s = ma.fields.Integer(dump_only=True)
    opened_s = ma.fields.Integer(dump_only=True)
    cleared_s = ma.fields.Integer(dump_only=True, allow_none=True)
    peak_ppm = ma.fields.Integer(dump_only=True, allow_none=True)
    cleared_reason = ma.fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "recovered, uninstalled (the sensor left the room), "
            "or rule_changed (the rule was disabled or no longer covers the room)"
        },
    )
    room_name = ma.fields.String(dump_only=True)


class WebhookAttributesSchema(ma.Schema):
    """An organization's alert webhook; the secret is written, never shown."""

    url = ma.fields.URL(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=[Length(max=2000), _plain_url],
        metadata={
            "description": "where the signed alert messages are POSTed: a public "
            "internet address, without user name and password; members who are "
            "not OWNERs read only its origin (the path may be the receiver's "
            "credential)"
        },
    )
    secret = ma.fields.String(
        required=True,
        load_only=True,
        validate=Length(min=16, max=200),
        metadata={
            "description": "HMAC-SHA256 key of X-Airq-Signature-256 (write-only)"
        },
    )


RULE_DOCUMENTS = document_schemas(
    "AlertRule",
    RuleAttributesSchema,
    relationships={
        "organization": Related("Organization"),
        "site": Related("Site", required=False),
        "room": Related("Room", required=False),
    },
)
ALERT_DOCUMENTS = document_schemas("Alert", AlertAttributesSchema)
WEBHOOK_DOCUMENTS = document_schemas(
    "AlertWebhook",
    WebhookAttributesSchema,
    relationships={"organization": Related("Organization")},
)
