"""``/``: the page that says where to go; signed-in users go on to the dashboard."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.http import HTML_CSP
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import html_login

SIGN_IN, SIGN_UP, SIGN_OUT = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/logout/",
)
DOCS, BACK_OFFICE = "/api/v1/schema/swagger-ui/", "/admin/"


def _links(html: str, *paths: str) -> set[str]:
    return {path for path in paths if f'href="{path}"' in html}


def test_start_page_anonymous_links_sign_in_docs_and_back_office(
    client: FlaskClient,
) -> None:
    resp = client.get("/")

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert _links(html, SIGN_IN, SIGN_UP, DOCS, BACK_OFFICE, SIGN_OUT) == {
        SIGN_IN,
        SIGN_UP,
        DOCS,
        BACK_OFFICE,
    }
    assert resp.headers["Content-Security-Policy"] == HTML_CSP
    assert resp.headers["Cache-Control"] == "no-store"


def test_sign_in_lands_on_a_page_naming_the_user(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    landed = client.get(html_login(client, user.username, DEFAULT_PASSWORD).location)

    html = landed.get_data(as_text=True)
    assert landed.request.path == "/dashboard/"
    assert landed.status_code == 200
    assert user.username in html
    assert _links(html, SIGN_IN, SIGN_OUT, BACK_OFFICE) == {SIGN_OUT}


def test_dashboard_shows_staff_the_back_office(
    client: FlaskClient, session: Session
) -> None:
    staff = make_user(session, is_staff=True)
    html_login(client, staff.username, DEFAULT_PASSWORD)

    html = client.get("/dashboard/").get_data(as_text=True)

    assert BACK_OFFICE in _links(html, BACK_OFFICE)


def test_start_page_speaks_german_to_german_browsers(client: FlaskClient) -> None:
    resp = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})

    html = resp.get_data(as_text=True)
    assert "Willkommen" in html
    assert "Einloggen" in html
    assert "API-Dokumentation" in html
