"""The session and CSRF cookies carry Secure, HttpOnly and SameSite as configured."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy.orm import Session

from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import api_login


def _cookies(resp: TestResponse) -> dict[str, str]:
    """The ``Set-Cookie`` headers of ``resp`` by cookie name (lower-case)."""
    found = {}
    for header in resp.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        found[name] = header.lower()
    return found


def _login(client: FlaskClient, session: Session) -> dict[str, str]:
    user = make_user(session)
    resp = api_login(client, DEFAULT_PASSWORD, username=user.username)
    assert resp.status_code == 200
    return _cookies(resp)


def test_session_cookie_is_httponly_and_lax_but_not_secure_over_http(
    client: FlaskClient, session: Session
) -> None:
    cookies = _login(client, session)

    assert "httponly" in cookies["sessionid"]
    assert "samesite=lax" in cookies["sessionid"]
    assert "secure" not in cookies["sessionid"]
    assert "secure" not in cookies["csrftoken"]


def test_csrf_cookie_is_readable_by_scripts(
    client: FlaskClient, session: Session
) -> None:
    cookies = _login(client, session)

    assert "httponly" not in cookies["csrftoken"]
    assert "samesite=lax" in cookies["csrftoken"]


def test_cookies_are_secure_when_configured(
    app: Flask,
    client: FlaskClient,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)

    cookies = _login(client, session)

    assert "; secure" in cookies["sessionid"]
    assert "; secure" in cookies["csrftoken"]


def test_session_cookie_samesite_follows_the_setting(
    app: Flask,
    client: FlaskClient,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SAMESITE", "Strict")

    cookies = _login(client, session)

    assert "samesite=strict" in cookies["sessionid"]


@pytest.mark.parametrize(
    ("overrides", "secure"),
    [
        ({}, False),
        ({"HTTPS": True}, True),
        ({"SESSION_COOKIE_SECURE": True}, True),
    ],
)
def test_https_setting_makes_cookies_secure(
    make_app: Callable[..., Flask], overrides: dict[str, bool], secure: bool
) -> None:
    app = make_app(**overrides)

    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_a_session_holding_a_nul_character_still_loads(
    app: Flask, client: FlaskClient
) -> None:
    """The cookie's JSON went through the request bodies' guard, which refuses NUL:
    a NUL flashed into a session made every later request of that browser a 500."""
    signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie = signer.dumps({"_flashes": [["message", "job a\x00b is unknown"]]})
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    resp = client.get("/accounts/login/")

    assert resp.status_code == 200
