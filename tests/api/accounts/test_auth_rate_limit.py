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


NEW_PASSWORD = "a-brand-new-passphrase"


def _change(
    client: FlaskClient, key: str, old: str, addr: str = "10.0.0.1"
) -> TestResponse:
    body = doc(
        "PasswordChangeView",
        old_password=old,
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD,
    )
    return client.post(
        "/api/v1/auth/password/change/",
        json=body,
        headers={"Authorization": f"Token {key}"},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_wrong_old_passwords_count_like_failed_log_ins(
    client: FlaskClient, session: Session
) -> None:
    """A stolen key must not guess the password without limit."""
    user = make_user(session)
    key = json_of(_attempt(client, user.username, DEFAULT_PASSWORD, "10.0.0.5"))[
        "data"
    ]["id"]
    client.delete_cookie("sessionid")
    guesses = [_change(client, key, f"guess{n}").status_code for n in range(3)]

    assert guesses == [400, 400, 400]
    assert_refused(
        client,
        "POST",
        "/api/v1/auth/password/change/",
        429,
        json=doc(
            "PasswordChangeView",
            old_password=DEFAULT_PASSWORD,
            new_password1=NEW_PASSWORD,
            new_password2=NEW_PASSWORD,
        ),
        headers={"Authorization": f"Token {key}"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        unchanged=("users", "logins"),
    )
    _refused(client, user.username)  # the log-in from there too
    assert _change(client, key, DEFAULT_PASSWORD, addr="10.0.0.2").status_code == 200


def test_html_password_change_over_the_limit_is_429(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    login = post_form(
        client,
        "/accounts/login/",
        {"login": user.username, "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
    )
    assert login.status_code == 302
    form = {
        "oldpassword": "wrong",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    for _ in range(3):
        wrong = post_form(
            client,
            "/accounts/password/change/",
            form,
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert wrong.status_code == 200

    assert_page_refused(
        lambda: post_form(
            client,
            "/accounts/password/change/",
            {**form, "oldpassword": DEFAULT_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ),
        429,
        unchanged=("users", "logins"),
        shows="Try again in 10 minutes.",
    )
