"""HTML account pages: sign-in, sign-out, sign-up with mail confirmation, e-mail page."""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import (
    AUTH,
    api_login,
    html_login,
    json_of,
    path_of,
    post_form,
)
from tests.support.refusals import assert_page_refused
from tests.support.smtp import Mailbox, free_port

PASSWORD = "maxi-mustermann-2024"
SIGNUP = {
    "email": "max@example.org",
    "username": "maxM",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def _confirm_link(mailbox: Mailbox) -> str:
    return next(u for u in mailbox.only().links() if "/confirm-email/" in u)


def test_login_page_has_the_form_and_sets_csrftoken(client: FlaskClient) -> None:
    resp = client.get("/accounts/login/")

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    for name in ('name="login"', 'name="password"', 'name="next"'):
        assert name in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "/static/css/accounts.css" in html
    assert client.get_cookie("csrftoken") is not None


def test_stylesheet_is_served_by_the_app(client: FlaskClient) -> None:
    with client.get("/static/css/accounts.css") as resp:
        css = resp.get_data(as_text=True)

    assert resp.status_code == 200
    assert resp.mimetype == "text/css"
    assert "#385ba7" in css


def test_login_redirects_to_login_redirect_url(
    app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_REDIRECT_URL", "/dashboard/")
    user = make_user(session)

    resp = html_login(client, user.username, DEFAULT_PASSWORD)

    assert resp.status_code == 302
    assert resp.headers["Location"] == "/dashboard/"
    assert client.get_cookie("sessionid") is not None
    assert client.get_cookie("csrftoken") is not None
    assert client.get(f"{AUTH}/user/").status_code == 200


def test_login_by_email_works(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = html_login(client, user.email, DEFAULT_PASSWORD)

    assert resp.status_code == 302


def test_login_follows_a_same_site_next(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = post_form(
        client,
        "/accounts/login/?next=/dashboard/sites/3",
        {
            "login": user.username,
            "password": DEFAULT_PASSWORD,
            "next": "/dashboard/sites/3",
        },
    )

    assert resp.headers["Location"] == "/dashboard/sites/3"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "dashboard",
    ],
)
def test_login_refuses_an_off_site_next(
    client: FlaskClient, session: Session, target: str
) -> None:
    user = make_user(session)

    resp = post_form(
        client,
        "/accounts/login/",
        {"login": user.username, "password": DEFAULT_PASSWORD, "next": target},
    )

    assert resp.headers["Location"] == "/dashboard/"


def test_login_wrong_password_shows_the_form_again(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    assert_page_refused(
        lambda: html_login(client, user.username, "wrong"),
        200,
        shows="Unable to log in with provided credentials.",
        unchanged=("users", "logins"),
    )
    assert client.get(f"{AUTH}/user/").status_code == 401


def test_logout_page_asks_then_signs_out(client: FlaskClient, session: Session) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    page = client.get("/accounts/logout/")
    resp = post_form(client, "/accounts/logout/", {})

    assert "Are you sure you want to sign out?" in page.get_data(as_text=True)
    assert resp.status_code == 302
    assert client.get(f"{AUTH}/user/").status_code == 401


def test_signup_mail_confirm_then_login(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    signup = post_form(client, "/accounts/signup/", SIGNUP)
    early = html_login(client, "maxM", PASSWORD)
    link = _confirm_link(mailbox)
    confirm_page = client.get(path_of(link))
    confirmed = post_form(client, path_of(link), {})
    login = html_login(client, "maxM", PASSWORD)

    assert signup.status_code == 302
    assert "/accounts/confirm-email/" in signup.headers["Location"]
    assert early.status_code == 302
    assert "unverified=1" in early.headers["Location"]
    assert link.startswith("http://localhost/accounts/confirm-email/")
    assert "max@example.org" in confirm_page.get_data(as_text=True)
    assert confirmed.status_code == 302
    assert login.status_code == 302
    assert login.headers["Location"] == "/dashboard/"


def test_login_before_confirming_is_refused(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    post_form(client, "/accounts/signup/", SIGNUP)

    resp = html_login(client, "maxM", PASSWORD)
    page = client.get(resp.headers["Location"])

    assert client.get(f"{AUTH}/user/").status_code == 401
    assert "not verified" in page.get_data(as_text=True)


def test_signup_stores_argon2id_and_no_clear_password(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    post_form(client, "/accounts/signup/", SIGNUP)

    user = session.scalars(select(User).where(User.username == "maxM")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert not user.email_verified


def test_signup_errors_show_on_their_fields(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    assert_page_refused(
        lambda: post_form(
            client, "/accounts/signup/", {**SIGNUP, "password2": "something else"}
        ),
        200,
        field="password2",
        shows="The two password fields didn&#39;t match.",
        unchanged=("users", "logins"),
    )
    assert mailbox.received == []


def test_signup_with_mail_server_down_keeps_account_and_offers_resend(
    app: Flask,
    client: FlaskClient,
    session: Session,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = app.config["EMAIL_PORT"]
    monkeypatch.setitem(app.config, "EMAIL_PORT", free_port())
    signup = post_form(client, "/accounts/signup/", SIGNUP)
    page = client.get(signup.headers["Location"])
    monkeypatch.setitem(app.config, "EMAIL_PORT", port)

    resent = post_form(client, "/accounts/confirm-email/", {"email": "max@example.org"})

    assert "could not send the verification e-mail" in page.get_data(as_text=True)
    assert 'value="max@example.org"' in page.get_data(as_text=True)
    assert session.scalars(select(User).where(User.username == "maxM")).one()
    assert resent.status_code == 302
    assert "/accounts/confirm-email/" in mailbox.only().body


def test_signup_with_a_taken_address_answers_like_a_new_one(
    app_client_pair: tuple[FlaskClient, FlaskClient],
    session: Session,
    mailbox: Mailbox,
    mail_server: str,
) -> None:
    make_user(session, email="erika@example.org")
    first, second = app_client_pair

    new = post_form(first, "/accounts/signup/", SIGNUP)
    taken = post_form(
        second,
        "/accounts/signup/",
        {**SIGNUP, "username": "maxN", "email": "erika@example.org"},
    )

    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    assert session.scalars(select(User).where(User.username == "maxN")).all() == []
    if mail_server == "up":
        assert {m.recipients[0] for m in mailbox.received} == {
            "max@example.org",
            "erika@example.org",
        }


@pytest.mark.usefixtures("mail_down")
def test_resend_page_with_mail_server_down_answers_alike_for_every_address(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, email="max@example.org", email_verified=False)

    known, unknown = (
        post_form(client, "/accounts/confirm-email/", {"email": e})
        for e in ("max@example.org", "nobody@example.org")
    )

    sent = (302, "/accounts/confirm-email/")
    assert (known.status_code, known.headers.get("Location")) == sent
    assert (unknown.status_code, unknown.headers.get("Location")) == sent


def test_confirm_with_a_forged_key_offers_a_new_mail(client: FlaskClient) -> None:
    assert_page_refused(
        lambda: client.get("/accounts/confirm-email/forged.key/"),
        200,
        shows="expired or is invalid",
        unchanged=("users",),
    )


def test_email_page_needs_a_session(client: FlaskClient) -> None:
    resp = client.get("/accounts/email")

    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/accounts/login/?next=")


def test_email_page_changes_the_address_after_confirmation(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    post_form(
        client,
        "/accounts/email/",
        {"change-email": "new@example.org", "change-submit": "Change"},
    )
    unchanged = user.email
    link = _confirm_link(mailbox)
    post_form(client, path_of(link), {})

    session.refresh(user)
    assert mailbox.only().recipients == ["new@example.org"]
    assert unchanged != "new@example.org"
    assert user.email == "new@example.org"
    assert user.email_verified


def test_account_pages_are_not_cached_or_framed(client: FlaskClient) -> None:
    resp = client.get("/accounts/signup/")

    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_signup_without_verification_signs_in_at_once(
    app: Flask,
    client: FlaskClient,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "ACCOUNT_EMAIL_VERIFICATION", False)

    resp = post_form(client, "/accounts/signup/", SIGNUP)

    assert resp.headers["Location"] == "/dashboard/"
    assert client.get(f"{AUTH}/user/").status_code == 200
    assert mailbox.received == []


def test_html_sign_out_ends_the_logins_api_key(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    key = json_of(api_login(client, DEFAULT_PASSWORD, username=user.username))["data"][
        "id"
    ]

    post_form(client, "/accounts/logout/", {})

    resp = client.get(f"{AUTH}/user/", headers={"Authorization": f"Token {key}"})
    assert resp.status_code == 401
    assert json_of(resp)["errors"][0]["detail"] == "Invalid token."
