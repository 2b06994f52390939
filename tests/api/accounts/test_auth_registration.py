"""REST sign-up and e-mail verification, with mail to a real SMTP server on loopback."""

from __future__ import annotations

import re
from typing import Any

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
    doc,
    html_login,
    json_of,
    path_of,
    post_form,
)
from tests.support.smtp import Mailbox, free_port

PASSWORD = "maxi-mustermann-2024"


def _register(client: FlaskClient, **overrides: str) -> tuple[int, dict[str, Any]]:
    attributes = {
        "username": "maxM",
        "email": "max@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    resp = client.post(f"{AUTH}/registration/", json=doc("RegisterView", **attributes))
    return resp.status_code, json_of(resp)


def _key(body: str) -> str:
    match = re.search(r"/accounts/confirm-email/([^/\s]+)/", body)
    assert match is not None, body
    return match.group(1)


@pytest.fixture
def subject_prefix(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mails carry the reference's subject prefix."""
    monkeypatch.setitem(app.config, "EMAIL_SUBJECT_PREFIX", "[Clair Plattform] ")


@pytest.fixture
def without_verification(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts may log in without confirming their address."""
    monkeypatch.setitem(app.config, "ACCOUNT_EMAIL_VERIFICATION", False)


@pytest.mark.usefixtures("subject_prefix")
def test_register_mails_confirmation_then_verify_then_login(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    status, body = _register(client)
    mail = mailbox.only()
    refused = api_login(client, PASSWORD, username="maxM")
    verified = client.post(
        f"{AUTH}/registration/verify-email/",
        json=doc("VerifyEmailView", key=_key(mail.body)),
    )
    login = api_login(client, PASSWORD, username="maxM")

    assert status == 201
    assert body == {"data": {"detail": "Verification e-mail sent."}}
    assert mail.subject == "[Clair Plattform] Please Confirm Your E-mail Address"
    assert mail.recipients == ["max@example.org"]
    assert refused.status_code == 400
    assert verified.status_code == 200
    assert login.status_code == 200


def test_register_weak_password_is_400_at_password1(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    status, body = _register(client, password1="example.org", password2="example.org")

    assert status == 400
    pointers = {e["source"]["pointer"] for e in body["errors"]}
    assert pointers == {"/data/attributes/password1"}
    assert mailbox.received == []


def test_register_taken_email_answers_like_a_new_one_and_mails_the_owner(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    owner = make_user(session, email="erika@example.org")
    new = _register(client)
    mailbox.clear()

    taken = _register(client, username="maxN", email="ERIKA@example.org")

    notice = mailbox.only()
    assert taken == new == (201, {"data": {"detail": "Verification e-mail sent."}})
    assert notice.recipients == ["erika@example.org"]
    assert notice.subject.endswith("Sign-up Attempt with Your E-mail Address")
    assert owner.username in notice.body
    assert {path_of(link) for link in notice.links()} >= {
        "/accounts/login/",
        "/accounts/password/reset/",
    }
    assert session.scalars(select(User).where(User.username == "maxN")).all() == []


@pytest.mark.usefixtures("mail_down")
def test_register_taken_email_with_mail_server_down_answers_like_a_new_one(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, email="erika@example.org")

    new = _register(client)
    taken = _register(client, username="maxN", email="erika@example.org")

    assert taken == new
    assert new[1]["meta"] == {"email_sent": False}


@pytest.mark.usefixtures("without_verification")
def test_register_taken_email_without_verification_answers_like_a_new_one(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    make_user(session, email="erika@example.org")

    new = _register(client)
    taken = _register(client, username="maxN", email="erika@example.org")

    assert taken == new == (201, {"data": {"detail": "Successfully signed up."}})
    assert mailbox.only().recipients == ["erika@example.org"]


def test_register_taken_email_notice_is_in_the_owners_language(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    make_user(session, email="erika@example.org", locale="de")

    _register(client, email="erika@example.org")

    notice = mailbox.only()
    assert notice.subject.endswith("Registrierungsversuch mit Ihrer E-Mail-Adresse")
    assert "Falls Sie das waren" in notice.body


def test_register_taken_username_is_409_at_username_only(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    make_user(session, username="maxM", email="erika@example.org")

    status, body = _register(client, email="erika@example.org")

    assert status == 409
    assert [e["source"]["pointer"] for e in body["errors"]] == [
        "/data/attributes/username"
    ]
    assert "e-mail" not in str(body).lower()
    assert mailbox.received == []


def test_register_malformed_email_is_400(client: FlaskClient, mailbox: Mailbox) -> None:
    status, body = _register(client, email="not-an-address")

    assert status == 400
    assert body["errors"][0]["source"]["pointer"] == "/data/attributes/email"


def test_register_missing_fields_are_400_each_with_pointer(
    client: FlaskClient,
) -> None:
    resp = client.post(f"{AUTH}/registration/", json=doc("RegisterView"))

    assert resp.status_code == 400
    pointers = {e["source"]["pointer"] for e in json_of(resp)["errors"]}
    assert pointers == {
        "/data/attributes/username",
        "/data/attributes/email",
        "/data/attributes/password1",
        "/data/attributes/password2",
    }


def test_register_with_mail_server_down_keeps_the_account_and_resend_works(
    app: Flask,
    client: FlaskClient,
    session: Session,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = app.config["EMAIL_PORT"]
    monkeypatch.setitem(app.config, "EMAIL_PORT", free_port())
    status, body = _register(client)
    monkeypatch.setitem(app.config, "EMAIL_PORT", port)

    resent = client.post(
        f"{AUTH}/registration/resend-email/",
        json=doc("ResendEmailVerificationView", email="max@example.org"),
    )

    assert status == 201
    assert body["meta"] == {"email_sent": False}
    assert session.scalars(select(User).where(User.username == "maxM")).one()
    assert resent.status_code == 200
    assert "/accounts/confirm-email/" in mailbox.only().body


def _resend(client: FlaskClient, email: str) -> tuple[int, dict[str, Any]]:
    resp = client.post(
        f"{AUTH}/registration/resend-email/",
        json=doc("ResendEmailVerificationView", email=email),
    )
    return resp.status_code, json_of(resp)


def test_resend_for_unknown_address_mails_nothing(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    status, _ = _resend(client, "nobody@example.org")

    assert status == 200
    assert mailbox.received == []


@pytest.mark.usefixtures("mail_down")
def test_resend_with_mail_server_down_answers_alike_for_every_address(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, email="max@example.org", email_verified=False)

    known = _resend(client, "max@example.org")
    unknown = _resend(client, "nobody@example.org")

    assert known == unknown == (200, {"data": {"detail": "ok"}})


def test_verify_email_forged_key_is_400_at_key(client: FlaskClient) -> None:
    resp = client.post(
        f"{AUTH}/registration/verify-email/",
        json=doc("VerifyEmailView", key="forged.key.value"),
    )

    assert resp.status_code == 400
    assert json_of(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/key"


@pytest.mark.usefixtures("without_verification")
def test_register_without_verification_logs_in_at_once(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    status, _ = _register(client)
    login = api_login(client, PASSWORD, username="maxM")

    assert status == 201
    assert mailbox.received == []
    assert login.status_code == 200


def test_register_stores_the_request_language(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    client.post(
        f"{AUTH}/registration/",
        json=doc(
            "RegisterView",
            username="maxM",
            email="max@example.org",
            password1=PASSWORD,
            password2=PASSWORD,
        ),
        headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"},
    )

    user = session.scalars(select(User).where(User.username == "maxM")).one()
    assert user.locale == "de"
    assert mailbox.only().subject.endswith("Bitte bestätigen Sie Ihre E-Mail-Adresse")


@pytest.fixture
def small_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two mails per e-mail address, four requests per client address, in 10 minutes."""
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT_ACCOUNT", 2)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT_ADDRESS", 4)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_WINDOW_S", 600)


def _register_from(client: FlaskClient, addr: str, **attributes: str) -> Any:
    body = doc("RegisterView", password1=PASSWORD, password2=PASSWORD, **attributes)
    return client.post(
        f"{AUTH}/registration/", json=body, environ_base={"REMOTE_ADDR": addr}
    )


@pytest.mark.usefixtures("small_limits")
def test_register_with_a_taken_address_mails_its_owner_a_few_times_only(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    make_user(session, email="erika@example.org")

    answers = [
        _register_from(
            client, f"10.0.1.{n}", username=f"spam{n}", email="erika@example.org"
        )
        for n in range(4)
    ]

    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {
        (201, answers[0].get_data(as_text=True))
    }
    assert len(mailbox.received) == 2


@pytest.mark.usefixtures("small_limits")
def test_register_is_limited_per_client_address(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    for n in range(4):
        _register_from(
            client, "10.0.2.1", username=f"new{n}", email=f"n{n}@example.org"
        )

    refused = _register_from(
        client, "10.0.2.1", username="new9", email="n9@example.org"
    )
    elsewhere = _register_from(
        client, "10.0.2.2", username="new8", email="n8@example.org"
    )

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert session.scalars(select(User).where(User.username == "new9")).all() == []
    assert elsewhere.status_code == 201


@pytest.mark.usefixtures("small_limits")
def test_resend_mails_an_address_a_few_times_only_and_limits_each_client(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    make_user(session, email="victor@example.org", email_verified=False)

    answers = [
        client.post(
            f"{AUTH}/registration/resend-email/",
            json=doc("ResendEmailVerificationView", email="victor@example.org"),
            environ_base={"REMOTE_ADDR": f"10.0.3.{n // 4}"},
        )
        for n in range(5)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200]
    assert len(mailbox.received) == 2
    over = client.post(
        f"{AUTH}/registration/resend-email/",
        json=doc("ResendEmailVerificationView", email="nobody@example.org"),
        environ_base={"REMOTE_ADDR": "10.0.3.0"},
    )
    assert over.status_code == 429


@pytest.mark.usefixtures("small_limits")
def test_confirm_email_page_mails_an_address_a_few_times_only(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    make_user(session, email="victor@example.org", email_verified=False)

    answers = [
        post_form(
            client,
            "/accounts/confirm-email/",
            {"email": "victor@example.org"},
            environ_base={"REMOTE_ADDR": "10.0.4.1"},
        )
        for _ in range(4)
    ]
    over = post_form(
        client,
        "/accounts/confirm-email/",
        {"email": "victor@example.org"},
        environ_base={"REMOTE_ADDR": "10.0.4.1"},
    )

    assert [a.status_code for a in answers] == [302, 302, 302, 302]
    assert len(mailbox.received) == 2
    assert over.status_code == 429
    assert "Try again in 10 minutes." in over.get_data(as_text=True)


def _messages(resp: Any) -> list[str]:
    """The flashed messages a page shows."""
    html = resp.get_data(as_text=True)
    shown = re.search(r'<ul class="messages">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", shown.group(1)) if shown else []


def _ask_email_page(client: FlaskClient, **fields: str) -> Any:
    """Submit a form of /accounts/email/ from one client address; follow its answer."""
    return post_form(
        client,
        "/accounts/email/",
        fields,
        environ_base={"REMOTE_ADDR": "10.0.5.1"},
        follow_redirects=True,
    )


@pytest.mark.usefixtures("small_limits")
def test_email_page_mails_a_new_address_a_few_times_only_and_limits_the_client(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    """Switching to someone else's address again and again cannot flood it."""
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)
    change = {"change-email": "victim@example.org", "change-submit": "Change"}

    answers = [_ask_email_page(client, **change) for _ in range(4)]
    over = _ask_email_page(client, **change)

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert {tuple(_messages(a)) for a in answers} == {tuple(_messages(answers[0]))}
    assert "victim@example.org" in _messages(answers[0])[0]
    assert [m.recipients for m in mailbox.received] == [["victim@example.org"]] * 2
    assert over.status_code == 429
    assert 0 < int(over.headers["Retry-After"]) <= 600
    assert "Try again in 10 minutes." in over.get_data(as_text=True)
    assert len(mailbox.received) == 2
    session.refresh(user)
    assert user.email != "victim@example.org"


@pytest.mark.usefixtures("small_limits")
def test_email_page_resend_mails_the_own_address_a_few_times_only(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session, email="max@example.org")
    html_login(client, user.email, DEFAULT_PASSWORD)
    user.email_verified = False  # as after ACCOUNT_EMAIL_VERIFICATION was turned on
    session.commit()

    answers = [
        _ask_email_page(client, **{"resend-submit": "Re-send"}) for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {tuple(_messages(a)) for a in answers} == {
        ("Confirmation e-mail sent to max@example.org.",)
    }
    assert [m.recipients for m in mailbox.received] == [["max@example.org"]] * 2


def test_resend_answers_before_the_mail_goes_out(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    """As the password reset: the answer's time must not tell known addresses."""
    make_user(session, email="max@example.org", email_verified=False)

    resp = client.post(
        f"{AUTH}/registration/resend-email/",
        json=doc("ResendEmailVerificationView", email="max@example.org"),
        buffered=False,
    )
    before_close = len(mailbox.received)
    resp.close()

    assert resp.status_code == 200
    assert before_close == 0
    assert "/accounts/confirm-email/" in mailbox.only().body
