"""A person's way through sign-up, the back office and its German labels, in Chromium.

sign up → confirmation mail → confirm → log in on /accounts/login/ → (made staff
in the database) admin dashboard → create an organization, a site, a room, a node
and an installation in the admin → the installation's chart drawn with data →
switch to German → delete a list row after confirming. The app runs on a real server (werkzeug, loopback) against a
database of its own with committed data; mail goes to an SMTP server on
loopback. Each step leaves a screenshot in ``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import flask_migrate
import pytest
from playwright.sync_api import Dialog, Page, expect, sync_playwright

from flask import Flask

from sqlalchemy import select

from app import create_app
from app.db import transaction
from app.extensions import db
from app.models import Address, Node, NodeModel, Protocol, User
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    in_db,
    require_browser,
    require_vendored_assets,
    serve,
)
from tests.support.copy_series import insert_series
from tests.support.database import throwaway_database
from tests.support.smtp import Mailbox, smtp_server

PASSWORD = "lüftung-im-klassenzimmer"
TIMEOUT_MS = 15_000


@pytest.fixture
def site_app() -> Iterator[tuple[Flask, Mailbox]]:
    """The app on a migrated database of its own, mailing to a loopback SMTP server."""
    with throwaway_database("co2_browser") as url, smtp_server() as (mailbox, port):
        app = create_app(
            {
                "TESTING": False,
                "SQLALCHEMY_DATABASE_URI": url,
                "LOG_LEVEL": "WARNING",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": port,
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
                "EMAIL_HOST_USER": "",
                "EMAIL_TIMEOUT_S": 5,
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            with transaction() as session:
                session.add_all(
                    [
                        Protocol(identifier="LORAWAN"),
                        NodeModel(
                            name="ERS-CO2",
                            trade_name="ERS CO2",
                            manufacturer="Elsys",
                            sensor_type="NDIR",
                        ),
                        Address(street1="Hauptstraße 5", zip="10827", city="Berlin"),
                    ]
                )
            db.session.remove()
        try:
            yield app, mailbox
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _pick(page: Page, field: str, text: str) -> None:
    """Choose ``text`` in a Select2 look-up field, as a person types and clicks."""
    page.click(f"#s2id_{field} a")
    page.fill("#select2-drop input.select2-input", text)
    page.click("#select2-drop .select2-result-selectable >> nth=0")


def _save(page: Page) -> None:
    page.click("form.admin-form input[type=submit].btn-primary")
    expect(page.locator(".alert-success")).to_be_visible()


def test_sign_up_to_admin_chart_and_german(site_app: tuple[Flask, Mailbox]) -> None:
    app, mailbox = site_app
    require_browser()
    require_vendored_assets()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=require_browser(), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(locale="en-GB").new_page()
            page.set_default_timeout(TIMEOUT_MS)

            page.goto(f"{base}/accounts/signup/")
            page.fill("input[name=email]", "erika@example.org")
            page.fill("input[name=username]", "erika")
            page.fill("input[name=password1]", PASSWORD)
            page.fill("input[name=password2]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
            _shot(page, "01-signed-up")

            link = next(u for u in mailbox.only().links() if "/confirm-email/" in u)
            page.goto(link)
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r"/accounts/login/"))
            _shot(page, "02-confirmed")

            page.goto(f"{base}/accounts/login/?next=/admin/")
            page.fill("input[name=login]", "erika")
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            expect(page.locator("body")).to_contain_text("not a staff user")
            _shot(page, "03-signed-in-not-staff")

            def make_staff(session: Any) -> None:
                user = session.scalars(
                    select(User).where(User.username == "erika")
                ).one()
                user.is_staff = True

            in_db(app, make_staff)
            page.goto(f"{base}/admin/")
            expect(page.locator("[data-count=organizations]")).to_have_text("0")
            _shot(page, "04-dashboard")

            page.goto(f"{base}/admin/organization/new/")
            page.fill("#name", "Grundschule am Park")
            _save(page)
            _shot(page, "05-organization")

            page.goto(f"{base}/admin/site/new/")
            page.fill("#name", "Hauptgebäude")
            _pick(page, "operator", "Grundschule")
            _pick(page, "address", "Hauptstraße")
            _save(page)
            _shot(page, "06-site")

            page.goto(f"{base}/admin/room/new/")
            page.fill("#name", "Klasse 3b")
            _pick(page, "site", "Hauptgebäude")
            page.fill("#size_sqm", "62.5")
            _save(page)
            _shot(page, "07-room")

            page.goto(f"{base}/admin/node/new/")
            page.fill("#eui64", "70b3d57ed0041234")
            page.fill("#alias", "Klasse 3b Sensor")
            _pick(page, "protocol", "LORAWAN")
            _pick(page, "model", "ERS-CO2")
            _pick(page, "owner", "Grundschule")
            _save(page)
            _shot(page, "08-node")

            now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            node_id = in_db(
                app,
                lambda s: s.scalars(
                    select(Node.id).where(Node.eui64 == "70B3D57ED0041234")
                ).one(),
            )
            in_db(
                app,
                lambda s: insert_series(
                    s,
                    node_id,
                    now - timedelta(days=2),
                    now,
                    timedelta(minutes=30),
                    lambda t: 450 + 40 * (t.hour % 12),
                ),
            )

            page.goto(f"{base}/admin/installation/new/")
            _pick(page, "node", "Klasse 3b Sensor")
            _pick(page, "room", "Klasse 3b")
            start = (now - timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
            page.eval_on_selector("#from_time", "(el, v) => { el.value = v; }", start)
            page.check("#is_public")
            _save(page)
            _shot(page, "09-installation")

            page.click("table.model-list a[title='View Record']")
            plot = page.locator(".airq-plot[data-rendered=true]")
            expect(plot).to_have_count(1)
            points = int(plot.get_attribute("data-points") or "0")
            assert points >= 40
            expect(plot.locator(".uplot canvas")).to_have_count(1)
            _shot(page, "10-installation-chart")

            with page.expect_navigation():
                page.select_option("#airq-locale", "de")
            menu = page.locator("#admin-navbar-collapse")
            expect(menu).to_contain_text("Inventar")
            expect(menu).to_contain_text("Abmelden")
            expect(page.locator(".nav-tabs")).to_contain_text("Liste")
            expect(page.locator("body")).to_contain_text("Letzte 7 Tage")
            _shot(page, "11-german")

            # A later row's delete button (the lists render its form once per
            # page): confirmed in the dialog, posted with the page's CSRF token.
            page.goto(f"{base}/admin/organization/new/")
            page.fill("#name", "Zweite Schule")
            _save(page)
            page.goto(f"{base}/admin/organization/")
            table = page.locator("table.model-list")
            asked: list[str] = []

            def confirm(dialog: Dialog) -> None:
                asked.append(dialog.message)
                dialog.accept()

            page.once("dialog", confirm)
            with page.expect_navigation():
                table.locator("tr", has_text="Zweite Schule").locator("button").click()
            assert asked == [
                "Sind Sie sicher, dass Sie diesen Eintrag löschen möchten?"
            ]
            expect(page.locator(".alert-success")).to_be_visible()
            expect(table).not_to_contain_text("Zweite Schule")
            expect(table).to_contain_text("Grundschule am Park")
            _shot(page, "12-deleted-in-list")
        finally:
            browser.close()
