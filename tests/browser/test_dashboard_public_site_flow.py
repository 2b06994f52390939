"""A public site of many rooms in Chromium: only the charts on screen ask for
their series, the others once scrolled to.

Every chart of the page used to load at once and again every minute: 150 public
rooms were 150 series requests per visitor and minute. The app runs on a real
server (werkzeug, loopback) against a database of its own with committed data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Request, ViewportSize, expect, sync_playwright

from flask import Flask

from sqlalchemy.orm import Session

from tests.factories import (
    make_installation,
    make_organization,
    make_room,
    make_samples,
    make_site,
)
from tests.support.browser import (
    CHROMIUM_ARGS,
    in_db,
    migrated_app,
    require_browser,
    require_vendored_assets,
    serve,
)

TIMEOUT_MS = 15_000
ROOMS = 30
SCREEN: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture
def public_site() -> Iterator[tuple[Flask, int, list[int]]]:
    """The app with a site of ``ROOMS`` rooms, each with a public sensor sending."""

    def arrange(session: Session) -> tuple[int, list[int]]:
        now = datetime.now(UTC).replace(microsecond=0)
        site = make_site(session, operator=make_organization(session), name="Campus")
        rooms = []
        for n in range(ROOMS):
            room = make_room(session, site=site, name=f"Raum {n:02d}")
            inst = make_installation(
                session, room=room, from_time=now - timedelta(days=2), is_public=True
            )
            make_samples(session, inst.node, start=now - timedelta(hours=1))
            rooms.append(int(room.id))
        return int(site.id), rooms

    with migrated_app("co2_browser_public_site") as app:
        site_id, rooms = in_db(app, arrange)
        yield app, site_id, rooms


def test_public_site_loads_the_charts_on_screen_only(
    public_site: tuple[Flask, int, list[int]],
) -> None:
    app, site_id, rooms = public_site
    require_vendored_assets()
    asked: list[str] = []

    def note(request: Request) -> None:
        if "/series/" in request.url:
            asked.append(request.url.split("/series/")[0].rsplit("/", 1)[1])

    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=require_browser(), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=SCREEN)
            page.set_default_timeout(TIMEOUT_MS)
            page.on("request", note)
            page.goto(f"{base}/dashboard/public/sites/{site_id}/")
            first = page.locator(f"#room-chart-{rooms[0]}")
            expect(first).to_have_attribute("data-rendered", "true")
            on_load = set(asked)

            last = page.locator(f"#room-chart-{rooms[-1]}")
            last.scroll_into_view_if_needed()
            expect(last).to_have_attribute("data-rendered", "true")
        finally:
            browser.close()

    assert str(rooms[0]) in on_load
    assert len(on_load) <= 5, on_load  # what fits on one screen, not all 30
    assert str(rooms[-1]) not in on_load
    assert str(rooms[-1]) in asked
    assert len(asked) < ROOMS
