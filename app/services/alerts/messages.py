"""What alert messages say: the values mail templates and webhook bodies are made of."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.services.series.epoch import to_epoch


@dataclass(frozen=True)
class MailContext:
    """Deployment values every alert mail shows."""

    site_name: str
    site_url: str
    subject_prefix: str
    default_locale: str
    #: A single-page app (e.g. como-ui) serves ``/dashboard/`` (``DASHBOARD_DIR``).
    spa_dashboard: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailContext:
        """Read ``SITE_NAME``, ``SITE_URL``, ``EMAIL_SUBJECT_PREFIX``,
        ``DEFAULT_LOCALE`` and whether ``DASHBOARD_DIR`` is set."""
        return cls(
            site_name=config["SITE_NAME"],
            site_url=(config["SITE_URL"] or "").rstrip("/"),
            subject_prefix=config["EMAIL_SUBJECT_PREFIX"],
            default_locale=config["DEFAULT_LOCALE"],
            spa_dashboard=bool(config.get("DASHBOARD_DIR")),
        )

    def chart_url(self, row: Mapping[str, Any]) -> str:
        """The room's chart on whichever dashboard ``/dashboard/`` serves: the
        built-in room page, or como-ui's installation page
        (``/dashboard/<org>/installation/<id>``) when its build is served there."""
        if not self.spa_dashboard:
            return f"{self.site_url}/dashboard/rooms/{row['room_id']}/"
        installation = row["installation_id"]
        if installation is None:
            return f"{self.site_url}/dashboard/{row['organization_id']}/graphs"
        return (
            f"{self.site_url}/dashboard/{row['organization_id']}"
            f"/installation/{installation}"
        )


@dataclass(frozen=True)
class EventView:
    """One event of a message, times on the rule's wall clock."""

    event: str
    kind: str
    since: str
    at: str
    threshold_ppm: int | None
    clear_ppm: int | None
    peak_ppm: int | None
    cleared_reason: str | None


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def event_view(row: Mapping[str, Any]) -> EventView:
    """The event of an outbox row as templates show it."""
    zone = row["time_zone"]
    moment = row["cleared_at"] if row["event"] == "cleared" else row["opened_at"]
    threshold = row["threshold_ppm"]
    return EventView(
        event=row["event"],
        kind=row["kind"],
        since=_local(row["since"], zone),
        at=_local(moment, zone),
        threshold_ppm=threshold,
        clear_ppm=None if threshold is None else threshold - row["hysteresis_ppm"],
        peak_ppm=row["peak_ppm"],
        cleared_reason=row["cleared_reason"] if row["event"] == "cleared" else None,
    )


def webhook_document(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON body of one webhook call: the events of one room and rule."""
    first = items[0]
    return {
        "organization": str(first["organization_id"]),
        "site": {"id": str(first["site_id"]), "name": first["site_name"]},
        "room": {"id": str(first["room_id"]), "name": first["room_name"]},
        "rule": {"id": str(first["rule_id"]), "name": first["rule_name"]},
        "events": [
            {
                "alert": str(row["alert_id"]),
                "event": row["event"],
                "kind": row["kind"],
                "since_s": to_epoch(row["since"]),
                "opened_s": to_epoch(row["opened_at"]),
                "cleared_s": (
                    None if row["cleared_at"] is None else to_epoch(row["cleared_at"])
                ),
                "peak_ppm": row["peak_ppm"],
                "cleared_reason": row["cleared_reason"],
            }
            for row in items
        ],
    }
