"""An owner manages an organization in Chromium on a phone-sized screen, partly by keyboard.

sign in → management page → add a room → register a node → install it → make it
public → add a member (keyboard only) ; then the inspector signs in and sees the
same lists without a single form. The app runs on a real server (werkzeug,
loopback) against a database of its own with committed data. Each step leaves a
screenshot in ``test-artifacts/browser/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from flask import Flask

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Installation, Membership, Role, User
from tests.factories import (
    DEFAULT_PASSWORD,
    make_membership,
    make_model,
    make_organization,
    make_protocol,
    make_site,
    make_user,
)
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    in_db,
    migrated_app,
    require_browser,
    serve,
)

TIMEOUT_MS = 15_000
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def site_app() -> Iterator[tuple[Flask, int]]:
    """The app with an organization, its owner and inspector, and a third account."""

    def arrange(session: Session) -> int:
        org = make_organization(session, name="Grundschule am Park")
        make_membership(session, make_user(session, username="erika"), org, Role.OWNER)
        inspector = make_user(session, username="hausmeister")
        make_membership(session, inspector, org, Role.INSPECTOR)
        make_user(session, username="lehrer", email="lehrer@example.org")
        make_site(session, operator=org, name="Hauptgebäude")
        make_protocol(session, identifier="LORAWAN")
        make_model(session, trade_name="ERS CO2", manufacturer="Elsys")
        return int(org.id)

    with migrated_app("co2_browser_manage") as app:
        yield app, in_db(app, arrange)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"manage-{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def _open(page: Page, summary: str) -> None:
    page.locator("summary", has_text=summary).click()


def test_owner_manages_and_inspector_only_looks(
    site_app: tuple[Flask, int],
) -> None:
    app, org_id = site_app
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    manage = f"/dashboard/manage/{org_id}/"

    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=require_browser(), args=CHROMIUM_ARGS
        )
        try:
            owner = browser.new_context(locale="en-GB", viewport=PHONE).new_page()
            owner.set_default_timeout(TIMEOUT_MS)
            _sign_in(owner, base, "erika", manage)
            expect(owner.locator("h1")).to_have_text("Grundschule am Park")
            _shot(owner, "01-owner-page")

            _open(owner, "Add a room")
            owner.fill("#room-name", "Klasse 3b")
            owner.fill("#room-size_sqm", "12.25")  # one place too many: refused
            owner.click("text=Add room")
            expect(owner.locator(".field.invalid #room-size_sqm")).to_have_count(1)
            _shot(owner, "02-room-error-at-field")
            owner.fill("#room-size_sqm", "62.5")
            owner.click("text=Add room")
            expect(owner.locator(".messages")).to_contain_text(
                'Room "Klasse 3b" added.'
            )
            _shot(owner, "03-room-added")

            _open(owner, "Register a node")
            owner.fill("#node-eui64", "70b3d57ed0041234")
            owner.fill("#node-alias", "Sensor 3b")
            owner.click("text=Register node")
            expect(owner.locator(".messages")).to_contain_text("registered")
            _shot(owner, "04-node-registered")

            _open(owner, "Install a node in a room")
            owner.select_option("#install-room", label="Klasse 3b · Hauptgebäude")
            owner.click("button:has-text('Install')")
            expect(owner.locator(".messages")).to_contain_text("installed")
            row = owner.locator("tr[data-installation]")
            expect(row.locator(".visibility")).to_have_text("private")
            _shot(owner, "05-installed")

            row.locator("button", has_text="Make public").click()
            expect(owner.locator(".messages")).to_contain_text("public now")
            expect(row.locator(".visibility")).to_have_text("public")
            _shot(owner, "06-public")

            summary = owner.locator("summary", has_text="Add a member")
            summary.focus()
            owner.keyboard.press("Enter")  # opens the <details>
            owner.keyboard.press("Tab")
            owner.keyboard.type("lehrer@example.org")
            owner.keyboard.press("Enter")  # submits the form
            expect(owner.locator(".messages")).to_contain_text(
                "lehrer is a member now."
            )
            expect(owner.locator("tr[data-member=lehrer]")).to_have_count(1)
            _shot(owner, "07-member-added")

            inspector = browser.new_context(locale="de-DE", viewport=PHONE).new_page()
            inspector.set_default_timeout(TIMEOUT_MS)
            _sign_in(inspector, base, "hausmeister", manage)
            expect(inspector.locator("main")).to_contain_text("Sie sind Prüfer")
            expect(inspector.locator("tr[data-installation] .visibility")).to_have_text(
                "öffentlich"
            )
            expect(inspector.locator("main form")).to_have_count(0)
            expect(inspector.locator("main button")).to_have_count(0)
            _shot(inspector, "08-inspector-read-only")
        finally:
            browser.close()

    public = in_db(app, lambda s: s.scalars(select(Installation.is_public)).one())
    members = in_db(
        app,
        lambda s: s.scalar(
            select(func.count())
            .select_from(Membership)
            .join(User, User.id == Membership.user_id)
            .where(User.username == "lehrer", Membership.role == Role.INSPECTOR)
        ),
    )
    assert (public, members) == (True, 1)
