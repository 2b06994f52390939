"""German pages and mails under ``Accept-Language: de`` (formal "Sie")."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, api_login, doc, json_of, post_form
from tests.support.smtp import Mailbox

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
PASSWORD = "maxi-mustermann-2024"


def test_login_page_is_german(client: FlaskClient) -> None:
    resp = client.get("/accounts/login/", headers=GERMAN)

    html = resp.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Einloggen" in html
    assert "Passwort vergessen?" in html
    assert "Registrieren" in html


def test_logout_page_is_german(client: FlaskClient, session: Session) -> None:
    user = make_user(session)
    post_form(
        client,
        "/accounts/login/",
        {"login": user.username, "password": DEFAULT_PASSWORD},
    )

    resp = client.get("/accounts/logout/", headers=GERMAN)

    assert "Sind Sie sicher, dass Sie sich abmelden möchten?" in resp.get_data(
        as_text=True
    )


def test_english_is_the_default(client: FlaskClient) -> None:
    resp = client.get("/accounts/login/")

    assert "Sign In" in resp.get_data(as_text=True)


def test_signup_mail_is_german(client: FlaskClient, mailbox: Mailbox) -> None:
    post_form(
        client,
        "/accounts/signup/",
        {
            "email": "max@example.org",
            "username": "maxM",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        headers=GERMAN,
    )

    mail = mailbox.only()
    assert mail.subject == "[airq] Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert mail.body.startswith("Hallo von airq!")
    assert "Sie erhalten diese E-Mail, da maxM sich damit auf localhost" in mail.body
    assert "Um dies zu bestätigen, gehen Sie auf http://localhost/accounts/" in (
        mail.body
    )


def test_reset_mail_follows_the_users_language_not_the_requests(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session, locale="de")

    post_form(client, "/accounts/password/reset/", {"email": user.email})

    mail = mailbox.only()
    assert mail.subject == "[airq] E-Mail zum Passwort zurücksetzen"
    assert f"Erinnerung: Ihr Nutzername ist {user.username}." in mail.body


def test_signup_errors_are_german(client: FlaskClient, mailbox: Mailbox) -> None:
    resp = post_form(
        client,
        "/accounts/signup/",
        {
            "email": "max@example.org",
            "username": "maxM",
            "password1": "12345678",
            "password2": "12345678",
        },
        headers=GERMAN,
    )

    assert "Dieses Passwort ist komplett numerisch." in resp.get_data(as_text=True)


def test_api_errors_follow_accept_language(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/login/",
        json=doc("LoginView", username=user.username, password="wrong"),
        headers=GERMAN,
    )

    assert json_of(resp)["errors"][0]["detail"] == (
        "Die angegebenen Zugangsdaten stimmen nicht."
    )


def test_users_own_language_wins_over_the_browser(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, locale="de")
    api_login(client, DEFAULT_PASSWORD, username=user.username)

    resp = client.get("/accounts/email/", headers={"Accept-Language": "en"})

    assert "E-Mail-Adresse" in resp.get_data(as_text=True)
