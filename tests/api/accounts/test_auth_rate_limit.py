"""Failed log-ins are limited per account and per client address (429, Retry-After)."""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LoginFailure
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import doc, json_of, post_form
from tests.support.refusals import assert_page_refused, assert_refused


@pytest.fixture(autouse=True)
def small_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three failures per account, five per address, in a 10-minute window."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", 3)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ADDRESS", 5)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_WINDOW_S", 600)


def _attempt(
    client: FlaskClient, username: str, password: str, addr: str = "10.0.0.1"
) -> TestResponse:
    return client.post(
        "/api/v1/auth/login/",
        json=doc("LoginView", username=username, password=password),
        environ_base={"REMOTE_ADDR": addr},
    )


def _fail(
    client: FlaskClient, username: str, times: int, addr: str = "10.0.0.1"
) -> None:
    for _ in range(times):
        assert _attempt(client, username, "wrong", addr).status_code == 400


def _refused(client: FlaskClient, username: str) -> None:
    """The right password, refused over the limit: no log-in, no new failure."""
    assert_refused(
        client,
        "POST",
        "/api/v1/auth/login/",
        429,
        json=doc("LoginView", username=username, password=DEFAULT_PASSWORD),
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        unchanged=("logins", "login_failures", "users"),
    )


def test_account_limit_answers_429_with_retry_after(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    _fail(client, user.username, 3)

    resp = _attempt(client, user.username, DEFAULT_PASSWORD)

    assert resp.status_code == 429
    assert resp.mimetype == "application/vnd.api+json"
    assert 0 < int(resp.headers["Retry-After"]) <= 600
    error = json_of(resp)["errors"][0]
    assert (error["status"], error["code"]) == ("429", "throttled")


def test_account_limit_counts_username_and_email_together(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    _fail(client, user.username, 2)
    _fail(client, user.email, 1)

    _refused(client, user.username)


def test_account_limit_does_not_lock_the_owner_out_from_another_address(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    _fail(client, user.username, 3, addr="127.0.0.1")

    resp = _attempt(client, user.username, DEFAULT_PASSWORD, addr="127.0.0.2")

    assert resp.status_code == 200


def test_address_limit_answers_429_across_accounts(
    client: FlaskClient, session: Session
) -> None:
    users = [make_user(session) for _ in range(3)]
    for user in users[:2]:
        _fail(client, user.username, 2)
    _fail(client, "nobody-at-all", 1)

    _refused(client, users[2].username)
    elsewhere = _attempt(client, users[2].username, DEFAULT_PASSWORD, "10.0.0.9")

    assert elsewhere.status_code == 200


def test_success_clears_the_account_counter(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    _fail(client, user.username, 2)
    _attempt(client, user.username, DEFAULT_PASSWORD)
    _fail(client, user.username, 2)

    resp = _attempt(client, user.username, DEFAULT_PASSWORD)

    assert resp.status_code == 200


def test_expired_window_allows_again(
    app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(session)
    _fail(client, user.username, 3)
    for row in session.scalars(select(LoginFailure)):
        row.window_start = row.window_start.replace(year=row.window_start.year - 1)
    session.flush()

    resp = _attempt(client, user.username, DEFAULT_PASSWORD)

    assert resp.status_code == 200


def test_counters_store_no_names_or_addresses(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    _fail(client, user.username, 1)

    keys = list(session.scalars(select(LoginFailure.key)))
    assert len(keys) == 2
    assert all(len(k) == 64 and user.username not in k for k in keys)


def test_html_login_over_the_limit_is_429(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    _fail(client, user.username, 3, addr="127.0.0.1")

    resp = assert_page_refused(
        lambda: post_form(
            client,
            "/accounts/login/",
            {"login": user.username, "password": DEFAULT_PASSWORD},
        ),
        429,
        shows="Too many failed sign-in attempts",
        unchanged=("logins", "login_failures", "users"),
    )
    assert resp.headers["Retry-After"]


def test_zero_disables_the_limits(
    app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", 0)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ADDRESS", 0)
    user = make_user(session)
    _fail(client, user.username, 6)

    resp = _attempt(client, user.username, DEFAULT_PASSWORD)

    assert resp.status_code == 200
