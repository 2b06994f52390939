"""The ``filter[...]`` parameters of the alert-rule and alert lists.

Built from the shared fields of :mod:`app.blueprints.filters`, so they are
parsed, refused (400 naming ``filter[...]``) and documented like every list's.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.blueprints.filters import (
    EpochFilter,
    FilterSchema,
    IdFilter,
    check_bounds_order,
)
from app.services.alerts.listing import AlertState
from app.services.series.epoch import from_epoch


class StateFilter(ma.fields.Field[AlertState]):
    """``filter[state]``: ``open`` or ``cleared``."""

    def __init__(self) -> None:
        super().__init__(
            data_key="filter[state]",
            metadata={
                "description": "open or cleared",
                "type": "string",
                "enum": [state.value for state in AlertState],
            },
        )

    def _deserialize(
        self, value: Any, attr: Any, data: Any, **kwargs: Any
    ) -> AlertState:
        try:
            return AlertState(str(value).strip())
        except ValueError:
            raise ma.ValidationError(
                f'Invalid filter[state] "{value}": expected open or cleared.'
            ) from None


class RuleArgsSchema(FilterSchema):
    """The rule list's filters: the organization, site and room a rule watches."""

    organization_id = IdFilter("organization", "Only those of this organization (id)")
    site_id = IdFilter("site", "Only those of this site (id)")
    room_id = IdFilter("room", "Only those of this room (id)")


class WebhookArgsSchema(FilterSchema):
    """The webhook list's filter: the organization."""

    organization_id = IdFilter("organization", "Only that of this organization (id)")


class AlertArgsSchema(RuleArgsSchema):
    """The alert list's filters: place, rule, state and a time range."""

    rule_id = IdFilter("rule", "Only those of this alert rule (id)")
    state = StateFilter()
    start = EpochFilter("from", "Only alerts still open at or after this time")
    end = EpochFilter("to", "Only alerts opened at or before this time")

    @ma.validates_schema
    def _check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A reversed range is a mistake, not an empty answer (as for series)."""
        check_bounds_order(data.get("start"), data.get("end"))

    @ma.post_load
    def _times(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The time range as datetimes, as the service compares them."""
        for name in ("start", "end"):
            seconds: int | None = data.get(name)
            data[name] = None if seconds is None else from_epoch(seconds)
        return data
