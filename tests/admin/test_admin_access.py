"""Nobody but staff reaches any back-office view or JSON endpoint.

The matrix is generated from the app's Admin instance (every view, every
exposed URL and method), so a view added later is covered without a change here.
"""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from app.admin import EXTENSION
from app.models import Organization
from tests.factories import make_organization, make_user
from tests.support.accounts import csrf_cookie, json_of
from tests.support.admin import AdminUrl, admin_urls
from tests.support.auth import auth_headers

SECRET_NAME = "Geheime Organisation 4711"


def _urls() -> list[AdminUrl]:
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://unused/x"}
    )
    return list(admin_urls(app))


URLS = _urls()
BY_VIEW = {
    view: [url for url in URLS if url.endpoint.partition(".")[0] == view]
    for view in sorted({url.endpoint.partition(".")[0] for url in URLS})
}


def _request(
    client: FlaskClient, url: AdminUrl, headers: dict[str, str] | None = None
) -> TestResponse:
    return client.open(
        url.path, method=url.method, headers=headers or {}, data={"name": "x"}
    )


def test_matrix_covers_every_registered_view(app: Flask) -> None:
    admin = app.extensions[EXTENSION]

    assert set(BY_VIEW) == {view.endpoint for view in admin._views}
    assert len(URLS) > 100


@pytest.mark.parametrize("view", BY_VIEW)
def test_anonymous_is_sent_to_login_or_refused(
    client: FlaskClient, session: Session, view: str
) -> None:
    make_organization(session, name=SECRET_NAME)
    wrong = []

    for url in BY_VIEW[view]:
        response = _request(client, url)
        body = response.get_data(as_text=True)
        if url.json:
            ok = (
                response.status_code == 403
                and json_of(response)["errors"][0]["code"] == "permission_denied"
            )
        else:
            ok = response.status_code == 302 and response.headers[
                "Location"
            ].startswith("/accounts/login/?next=/admin")
        if not ok or SECRET_NAME in body:
            wrong.append(f"{url}: {response.status_code}")

    assert wrong == []


@pytest.mark.parametrize("view", BY_VIEW)
def test_signed_in_user_who_is_not_staff_is_refused(
    user_client: FlaskClient, session: Session, view: str
) -> None:
    make_organization(session, name=SECRET_NAME)
    before = session.scalar(select(func.count()).select_from(Organization))
    headers = {"X-CSRFToken": csrf_cookie(user_client)}
    wrong = []

    for url in BY_VIEW[view]:
        response = _request(user_client, url, headers)
        if response.status_code != 403 or SECRET_NAME in response.get_data(
            as_text=True
        ):
            wrong.append(f"{url}: {response.status_code}")

    assert wrong == []
    assert session.scalar(select(func.count()).select_from(Organization)) == before


def test_staff_api_key_does_not_open_the_back_office(
    client: FlaskClient, session: Session
) -> None:
    staff = make_user(session, is_staff=True)

    response = client.get("/admin/organization/", headers=auth_headers(session, staff))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_login_redirect_comes_back_to_the_page(client: FlaskClient) -> None:
    response = client.get("/admin/node/?search=abc")

    assert response.headers["Location"] == (
        "/accounts/login/?next=/admin/node/?search%3Dabc"
    )
