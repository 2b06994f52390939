"""Helpers of the auth tests: JSON:API bodies, HTML form posts, cookies."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

AUTH = "/api/v1/auth"
JSONAPI = "application/vnd.api+json"
CSRF_FIELD = "csrfmiddlewaretoken"


def doc(type_: str, id_: str | None = None, **attributes: Any) -> dict[str, Any]:
    """Return a JSON:API request document of ``type_`` with ``attributes``."""
    data: dict[str, Any] = {"type": type_, "attributes": attributes}
    if id_ is not None:
        data["id"] = id_
    return {"data": data}


def api_login(client: FlaskClient, password: str, **who: str) -> TestResponse:
    """POST the reference's ``LoginView`` document (``username=`` or ``email=``)."""
    return client.post(
        f"{AUTH}/login/", json=doc("LoginView", password=password, **who)
    )


def csrf_cookie(client: FlaskClient) -> str:
    """Return the value of the ``csrftoken`` cookie (fails when absent)."""
    cookie = client.get_cookie("csrftoken")
    assert cookie is not None, "no csrftoken cookie"
    return cookie.value


def form_token(html: str) -> str:
    """Return the CSRF token of the first form in ``html``."""
    match = re.search(r'name="[\w-]*csrfmiddlewaretoken"[^>]*value="([^"]+)"', html)
    assert match is not None, "no CSRF field in the page"
    return match.group(1)


def post_form(
    client: FlaskClient, url: str, data: dict[str, str], **kwargs: Any
) -> TestResponse:
    """GET ``url``, then POST ``data`` with the form's CSRF token."""
    page = client.get(url, **kwargs)
    token = form_token(page.get_data(as_text=True))
    return client.post(url, data={CSRF_FIELD: token, **data}, **kwargs)


def html_login(client: FlaskClient, login: str, password: str) -> TestResponse:
    """Sign in through the HTML page, as the dashboards' users do."""
    return post_form(client, "/accounts/login/", {"login": login, "password": password})


def path_of(link: str) -> str:
    """Return the path (and query) of an absolute link, for the test client."""
    return re.sub(r"^https?://[^/]+", "", link)


def json_of(resp: TestResponse) -> dict[str, Any]:
    """Return the response's JSON document (fails when the body is not JSON)."""
    document = resp.get_json(force=True)
    assert isinstance(document, dict), resp.get_data(as_text=True)
    return document
