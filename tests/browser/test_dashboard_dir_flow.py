"""``DASHBOARD_DIR`` in Chromium: a deep link loads the build, which runs under its CSP.

The test build's inline script (allowed by its hash), its module script (an
immutable hashed asset) and its API call (same origin) must all work when the
page is opened at a route only the app's router knows; any CSP violation fails.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from flask import Flask

from tests.support.browser import ARTIFACTS, CHROMIUM_ARGS, require_browser, serve
from tests.support.spa_build import write_build

TIMEOUT_MS = 15_000


def test_dashboard_dir_build_runs_at_a_deep_link(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(DASHBOARD_DIR=str(write_build(tmp_path)), TESTING=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    violations: list[str] = []

    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=require_browser(), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on(
                "console",
                lambda msg: (
                    violations.append(msg.text)
                    if "Content Security Policy" in msg.text
                    else None
                ),
            )
            page.goto(f"{base}/dashboard/3/installation/17")

            shown = page.locator("#app")
            expect(shown).to_have_text("Build route /dashboard/3/installation/17")
            expect(shown).to_have_attribute("data-inline", "true")
            expect(shown).to_have_attribute("data-api", "200")
            page.screenshot(path=str(ARTIFACTS / "dashboard-dir-deep-link.png"))
        finally:
            browser.close()

    assert violations == []
