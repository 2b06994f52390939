"""Alert mails link to the room's chart on whichever dashboard serves ``/dashboard/``."""

from __future__ import annotations

from typing import Any

from app.services.alerts.messages import MailContext

CONFIG: dict[str, Any] = {
    "SITE_NAME": "airq",
    "SITE_URL": "https://co2.example.org/",
    "EMAIL_SUBJECT_PREFIX": "",
    "DEFAULT_LOCALE": "en",
    "DASHBOARD_DIR": "",
}
ROW = {"room_id": 7, "installation_id": 17, "organization_id": 3}


def test_built_in_dashboard_links_the_room_page() -> None:
    context = MailContext.from_config(CONFIG)

    assert context.chart_url(ROW) == "https://co2.example.org/dashboard/rooms/7/"


def test_a_served_como_ui_build_links_its_installation_page() -> None:
    context = MailContext.from_config({**CONFIG, "DASHBOARD_DIR": "/srv/como-ui"})

    assert (
        context.chart_url(ROW) == "https://co2.example.org/dashboard/3/installation/17"
    )
    no_installation = {**ROW, "installation_id": None}
    assert (
        context.chart_url(no_installation)
        == "https://co2.example.org/dashboard/3/graphs"
    )
