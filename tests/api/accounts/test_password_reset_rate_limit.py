"""Password-reset requests are limited per client address (429); the reset mails
per e-mail address are capped silently, so nobody can make an owner's request fail."""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.support.accounts import json_of, post_form
from tests.support.refusals import assert_page_refused, assert_refused
from tests.support.smtp import Mailbox

RESET = "/api/v1/auth/password/reset/"


@pytest.fixture(autouse=True)
def small_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two mails per e-mail address, four requests per client address, in 10 minutes."""
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT_ACCOUNT", 2)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT_ADDRESS", 4)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_WINDOW_S", 600)


def _request(client: FlaskClient, email: str, addr: str = "10.0.0.7") -> TestResponse:
    return client.post(
        RESET,
        json={"data": {"type": "PasswordResetView", "attributes": {"email": email}}},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_password_reset_mails_per_address_are_capped_without_a_429(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    answers = [_request(client, user.email) for _ in range(2)]

    resp = _request(client, user.email, addr="10.0.0.8")

    assert [a.status_code for a in answers] == [200, 200]
    assert resp.status_code == 200
    assert json_of(resp) == json_of(answers[0])
    assert len(mailbox.received) == 2


def test_another_clients_requests_never_make_the_owners_request_fail(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    """The tester's attack: requests for the owner's address from elsewhere."""
    user = make_user(session)
    for _ in range(4):
        _request(client, user.email, addr="10.0.0.66")
    assert _request(client, user.email, addr="10.0.0.66").status_code == 429

    resp = _request(client, user.email, addr="10.0.0.8")
    page = post_form(
        client,
        "/accounts/password/reset/",
        {"email": user.email},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )

    assert resp.status_code == 200
    assert page.status_code == 302
    # The capped mails went out, and their links still work for the owner.
    assert len(mailbox.received) == 2


def test_password_reset_over_client_limit_is_429_with_retry_after(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    for _ in range(4):
        _request(client, user.email)

    resp = _request(client, user.email)

    assert resp.status_code == 429
    assert resp.mimetype == "application/vnd.api+json"
    assert 0 < int(resp.headers["Retry-After"]) <= 600
    error = json_of(resp)["errors"][0]
    assert (error["status"], error["code"]) == ("429", "throttled")
    assert "Try again in 10 minutes." in error["detail"]


def test_password_reset_limit_counts_unknown_addresses_too(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    for n in range(4):
        assert _request(client, f"nobody{n}@example.org").status_code == 200

    resp = _request(client, "someone.else@example.org")

    assert resp.status_code == 429
    assert mailbox.received == []


def test_password_reset_limit_is_per_client_address(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    for n in range(4):
        _request(client, f"nobody{n}@example.org")

    resp = _request(client, make_user(session).email, addr="10.0.0.9")

    assert resp.status_code == 200


def test_password_reset_limit_does_not_touch_login_counters(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    for _ in range(2):
        _request(client, user.email)

    assert_refused(
        client,
        "POST",
        "/api/v1/auth/login/",
        400,
        json={
            "data": {
                "type": "LoginView",
                "attributes": {"username": user.username, "password": "wrong"},
            }
        },
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
        unchanged=("users",),
        pointer="/data/attributes/non_field_errors",
    )


def test_password_reset_page_over_limit_shows_the_form_and_when_to_retry(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    for n in range(4):
        _request(client, f"nobody{n}@example.org", addr="10.0.0.10")

    resp = assert_page_refused(
        lambda: post_form(
            client,
            "/accounts/password/reset/",
            {"email": user.email},
            environ_base={"REMOTE_ADDR": "10.0.0.10"},
            headers={"Accept-Language": "de"},
        ),
        429,
        unchanged=("users", "logins"),
        shows="Bitte versuchen Sie es in 10 Minuten erneut.",
    )
    assert 'name="email"' in resp.get_data(as_text=True)
    assert mailbox.received == []
    assert 0 < int(resp.headers["Retry-After"]) <= 600
