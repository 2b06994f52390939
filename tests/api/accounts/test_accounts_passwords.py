"""HTML password pages: reset by mail end to end, change with the current password."""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, html_login, path_of, post_form
from tests.support.refusals import assert_refused
from tests.support.smtp import Mailbox

NEW = "a-brand-new-passphrase"


def _reset_link(mailbox: Mailbox) -> str:
    return next(u for u in mailbox.only().links() if "/password/reset/key/" in u)


def test_password_reset_by_mail_end_to_end(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)

    asked = post_form(client, "/accounts/password/reset/", {"email": user.email})
    link = _reset_link(mailbox)
    form = client.get(path_of(link))
    done = post_form(client, path_of(link), {"password1": NEW, "password2": NEW})
    login = html_login(client, user.username, NEW)

    assert asked.headers["Location"] == "/accounts/password/reset/done/"
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert done.headers["Location"] == "/accounts/password/reset/key/done/"
    assert login.status_code == 302
    assert client.get(f"{AUTH}/user/").status_code == 200


def test_password_reset_mail_names_the_username(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)

    post_form(client, "/accounts/password/reset/", {"email": user.email})

    mail = mailbox.only()
    assert mail.subject == "[airq] Password Reset E-mail"
    assert f"your username is {user.username}." in mail.body


def test_password_reset_link_used_twice_shows_bad_token(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    post_form(client, "/accounts/password/reset/", {"email": user.email})
    link = _reset_link(mailbox)
    post_form(client, path_of(link), {"password1": NEW, "password2": NEW})

    again = client.get(path_of(link))

    assert "Bad Token" in again.get_data(as_text=True)


def test_password_reset_unknown_address_looks_the_same(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    resp = post_form(client, "/accounts/password/reset/", {"email": "no@example.org"})

    assert resp.headers["Location"] == "/accounts/password/reset/done/"
    assert mailbox.received == []


def test_password_reset_page_answers_alike_for_known_and_unknown_addresses(
    client: FlaskClient, session: Session, mail_server: str
) -> None:
    addresses = (make_user(session).email, "no@example.org")

    answers = {
        (resp.status_code, resp.headers.get("Location"))
        for resp in (
            post_form(client, "/accounts/password/reset/", {"email": address})
            for address in addresses
        )
    }

    assert answers == {(302, "/accounts/password/reset/done/")}


def test_password_change_page_needs_the_current_password(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    wrong = post_form(
        client,
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW, "password2": NEW},
    )
    right = post_form(
        client,
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW, "password2": NEW},
    )
    still_in = client.get(f"{AUTH}/user/")

    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly." in wrong.get_data(as_text=True)
    assert right.status_code == 302
    assert still_in.status_code == 200


def test_password_change_ends_the_other_sessions(
    app_client_pair: tuple[FlaskClient, FlaskClient], session: Session
) -> None:
    here, elsewhere = app_client_pair
    user = make_user(session)
    html_login(here, user.username, DEFAULT_PASSWORD)
    html_login(elsewhere, user.username, DEFAULT_PASSWORD)

    post_form(
        here,
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW, "password2": NEW},
    )

    assert here.get(f"{AUTH}/user/").status_code == 200
    assert_refused(elsewhere, "GET", f"{AUTH}/user/", 401, unchanged=("logins",))


def test_password_change_page_without_session_goes_to_login(
    client: FlaskClient,
) -> None:
    resp = client.get("/accounts/password/change")

    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/accounts/login/")


def test_reset_link_uses_site_url_not_the_request_host(
    app: Flask,
    client: FlaskClient,
    session: Session,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SITE_URL", "https://co2.example.org")
    user = make_user(session)

    post_form(
        client,
        "/accounts/password/reset/",
        {"email": user.email},
        headers={"Host": "attacker.example"},
    )

    link = _reset_link(mailbox)
    assert link.startswith("https://co2.example.org/accounts/password/reset/key/")
    assert "attacker.example" not in mailbox.only().body
