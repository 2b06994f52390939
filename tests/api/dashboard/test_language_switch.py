"""The dashboard's language switch: on every page, CSRF-protected, stored on the
signed-in user's account (``users.locale``) or in an anonymous visitor's cookie,
back to the same page."""

from __future__ import annotations

import re

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.i18n import LOCALE_COOKIE
from app.models import User
from tests.api.dashboard.world import DashWorld, build_dash_world
from tests.factories import DEFAULT_PASSWORD
from tests.support.accounts import html_login

SWITCH = 'action="/dashboard/language/"'


@pytest.fixture
def world(session: Session) -> DashWorld:
    return build_dash_world(session)


@pytest.fixture
def browser(app: Flask) -> FlaskClient:
    """A browser of its own (cookie jar), not signed in."""
    return app.test_client()


def _token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "the page shows the switch with its CSRF token"
    return found.group(1)


def _switch(browser: FlaskClient, page: str, locale: str, **extra: str) -> object:
    html = browser.get(page).get_data(as_text=True)
    form = {"csrfmiddlewaretoken": _token(html), "locale": locale, "next": page}
    return browser.post("/dashboard/language/", data=form | extra)


def test_every_dashboard_page_shows_the_switch(
    browser: FlaskClient, world: DashWorld
) -> None:
    assert (
        html_login(browser, world.owner.username, DEFAULT_PASSWORD).status_code == 302
    )
    for page in (
        f"/dashboard/organizations/{world.org.id}/",
        f"/dashboard/rooms/{world.room.id}/",
        f"/dashboard/nodes/{world.node.id}/",
        f"/dashboard/installations/{world.installation.id}/",
        f"/dashboard/manage/{world.org.id}/",
        f"/dashboard/public/sites/{world.their_site.id}/",
        f"/dashboard/public/rooms/{world.public.room_id}/",
    ):
        assert SWITCH in browser.get(page).get_data(as_text=True), page


def test_signed_in_user_keeps_the_language_on_the_account(
    browser: FlaskClient, session: Session, world: DashWorld
) -> None:
    assert (
        html_login(browser, world.owner.username, DEFAULT_PASSWORD).status_code == 302
    )
    page = f"/dashboard/rooms/{world.room.id}/"

    resp = _switch(browser, page, "de")

    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert resp.headers["Location"] == page  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get_one(User, world.owner.id).locale == "de"
    assert '<html lang="de">' in browser.get(page).get_data(as_text=True)


def test_anonymous_visitor_gets_a_cookie(
    browser: FlaskClient, session: Session, world: DashWorld
) -> None:
    page = f"/dashboard/public/sites/{world.their_site.id}/"

    resp = _switch(browser, page, "de")

    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert resp.headers["Location"] == page  # type: ignore[attr-defined]
    cookie = browser.get_cookie(LOCALE_COOKIE)
    assert cookie is not None
    assert cookie.value == "de"
    assert '<html lang="de">' in browser.get(page).get_data(as_text=True)
    assert _switch(browser, page, "en").status_code == 302  # type: ignore[attr-defined]
    assert '<html lang="en">' in browser.get(page).get_data(as_text=True)


def test_switch_without_csrf_token_is_403_and_changes_nothing(
    browser: FlaskClient, session: Session, world: DashWorld
) -> None:
    assert (
        html_login(browser, world.owner.username, DEFAULT_PASSWORD).status_code == 302
    )

    resp = browser.post("/dashboard/language/", data={"locale": "de"})

    assert resp.status_code == 403
    session.expire_all()
    assert session.get_one(User, world.owner.id).locale is None


def test_anonymous_switch_without_csrf_token_is_403_and_sets_no_cookie(
    browser: FlaskClient, world: DashWorld
) -> None:
    resp = browser.post("/dashboard/language/", data={"locale": "de"})

    assert resp.status_code == 403
    assert LOCALE_COOKIE not in resp.headers.get("Set-Cookie", "")
    assert browser.get_cookie(LOCALE_COOKIE) is None


def test_switch_with_a_stale_token_says_to_reload_and_leads_back(
    browser: FlaskClient, session: Session, world: DashWorld
) -> None:
    # A token of an ended session (a page left open): the dashboard's page
    # says what to do, in the page's language, not werkzeug's bare 403.
    page = f"/dashboard/rooms/{world.room.id}/"
    resp = browser.post(
        "/dashboard/language/",
        data={"csrfmiddlewaretoken": "stale", "locale": "en", "next": page},
        headers={"Accept-Language": "de"},
    )

    assert resp.status_code == 403
    shown = resp.get_data(as_text=True)
    assert "Dieses Formular konnte nicht überprüft werden." in shown
    assert f'href="{page}"' in shown
    assert resp.headers["Cache-Control"] == "no-store"


def test_unknown_language_is_400_at_the_field(
    browser: FlaskClient, session: Session, world: DashWorld
) -> None:
    assert (
        html_login(browser, world.owner.username, DEFAULT_PASSWORD).status_code == 302
    )

    resp = _switch(browser, f"/dashboard/rooms/{world.room.id}/", "fr")

    assert resp.status_code == 400  # type: ignore[attr-defined]
    shown = resp.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Choose one of en, de or none." in shown
    assert f'href="/dashboard/rooms/{world.room.id}/"' in shown
    session.expire_all()
    assert session.get_one(User, world.owner.id).locale is None


def test_unknown_language_is_shown_in_german_too(
    browser: FlaskClient, world: DashWorld
) -> None:
    page = f"/dashboard/public/sites/{world.their_site.id}/"
    assert _switch(browser, page, "de").status_code == 302  # type: ignore[attr-defined]

    resp = _switch(browser, page, "xx")

    assert resp.status_code == 400  # type: ignore[attr-defined]
    shown = resp.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Zurück zur Seite" in shown
    assert resp.headers["Cache-Control"] == "no-store"  # type: ignore[attr-defined]


def test_switch_never_sends_the_browser_elsewhere(
    browser: FlaskClient, world: DashWorld
) -> None:
    page = f"/dashboard/public/sites/{world.their_site.id}/"

    resp = _switch(browser, page, "de", next="https://evil.example.org/")

    assert resp.headers["Location"] == "/dashboard/"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "after",
    [
        "\r\nX-Injected: y",
        "\n",
        "\r",
        "\x00",
        "\x7f",
        "\\evil.example.org",
        "a" * 2_001,
    ],
    ids=["crlf", "lf", "cr", "nul", "del", "backslash", "too-long"],
)
def test_switch_with_an_unclean_next_returns_to_the_dashboard(
    browser: FlaskClient, world: DashWorld, after: str
) -> None:
    page = f"/dashboard/public/sites/{world.their_site.id}/"

    resp = _switch(browser, page, "de", next=page + after)

    assert resp.status_code == 302  # type: ignore[attr-defined]
    assert resp.headers["Location"] == "/dashboard/"  # type: ignore[attr-defined]
    assert "X-Injected" not in resp.headers  # type: ignore[attr-defined]


def test_switch_keeps_a_long_clean_next(browser: FlaskClient, world: DashWorld) -> None:
    page = f"/dashboard/public/sites/{world.their_site.id}/?q=" + "a" * 1_900

    resp = _switch(browser, page, "de")

    assert resp.headers["Location"] == page  # type: ignore[attr-defined]


def test_embeds_have_no_switch(browser: FlaskClient, world: DashWorld) -> None:
    html = browser.get(f"/dashboard/embed/sites/{world.their_site.id}/").get_data(
        as_text=True
    )

    assert SWITCH not in html
