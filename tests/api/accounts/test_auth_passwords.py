"""Password change (old password required) and reset by mail, over the REST API."""

from __future__ import annotations

import re

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, api_login, doc, json_of, path_of
from tests.support.refusals import assert_refused
from tests.support.smtp import Mailbox

NEW = "a-brand-new-passphrase"


def _token(client: FlaskClient, user: User) -> dict[str, str]:
    key = json_of(api_login(client, DEFAULT_PASSWORD, username=user.username))["data"][
        "id"
    ]
    client.delete_cookie("sessionid")
    return {"Authorization": f"Token {key}"}


def _change(old: str, new1: str = NEW, new2: str = NEW) -> dict[str, object]:
    return doc(
        "PasswordChangeView",
        old_password=old,
        new_password1=new1,
        new_password2=new2,
    )


def _reset_link(mail_body: str) -> tuple[str, str]:
    match = re.search(r"/accounts/password/reset/key/([0-9a-z]+)-(\S+?)/", mail_body)
    assert match is not None, mail_body
    return match.group(1), match.group(2)


def test_password_change_with_old_password_works(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/password/change/",
        json=_change(DEFAULT_PASSWORD),
        headers=_token(client, user),
    )
    old = api_login(client, DEFAULT_PASSWORD, username=user.username)
    new = api_login(client, NEW, username=user.username)

    assert resp.status_code == 200
    assert resp.json == {"data": {"detail": "New password has been saved."}}
    assert old.status_code == 400
    assert new.status_code == 200


def test_password_change_wrong_old_password_is_400_at_old_password(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/password/change/", json=_change("wrong"), headers=_token(client, user)
    )

    assert resp.status_code == 400
    assert (
        json_of(resp)["errors"][0]["source"]["pointer"]
        == "/data/attributes/old_password"
    )


def test_password_change_without_old_password_is_400(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/password/change/",
        json=doc("PasswordChangeView", new_password1=NEW, new_password2=NEW),
        headers=_token(client, user),
    )

    assert resp.status_code == 400
    assert (
        json_of(resp)["errors"][0]["source"]["pointer"]
        == "/data/attributes/old_password"
    )


def test_password_change_weak_or_mismatched_reports_each_problem(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/password/change/",
        json=_change(DEFAULT_PASSWORD, "1234", "12345"),
        headers=_token(client, user),
    )

    assert resp.status_code == 400
    problems = {(e["source"]["pointer"], e["detail"]) for e in json_of(resp)["errors"]}
    assert problems == {
        ("/data/attributes/new_password2", "The two password fields didn't match."),
        (
            "/data/attributes/new_password1",
            "This password is too short. It must contain at least 8 characters.",
        ),
        ("/data/attributes/new_password1", "This password is entirely numeric."),
    }


def test_password_change_anonymous_is_401(client: FlaskClient) -> None:
    assert_refused(
        client,
        "POST",
        f"{AUTH}/password/change/",
        401,
        json=_change("x"),
        unchanged=("users",),
    )


def test_password_reset_by_mail_end_to_end(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)

    asked = client.post(
        f"{AUTH}/password/reset/", json=doc("PasswordResetView", email=user.email)
    )
    uid, token = _reset_link(mailbox.only().body)
    confirmed = client.post(
        f"{AUTH}/password/reset/confirm/",
        json=doc(
            "PasswordResetConfirmView",
            uid=uid,
            token=token,
            new_password1=NEW,
            new_password2=NEW,
        ),
    )
    login = api_login(client, NEW, username=user.username)

    assert asked.status_code == 200
    assert mailbox.only().recipients == [user.email]
    assert confirmed.status_code == 200
    assert login.status_code == 200


def test_password_reset_link_works_only_once(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    client.post(
        f"{AUTH}/password/reset/", json=doc("PasswordResetView", email=user.email)
    )
    uid, token = _reset_link(mailbox.only().body)
    body = doc(
        "PasswordResetConfirmView",
        uid=uid,
        token=token,
        new_password1=NEW,
        new_password2=NEW,
    )

    first = client.post(f"{AUTH}/password/reset/confirm/", json=body)
    second = client.post(f"{AUTH}/password/reset/confirm/", json=body)

    assert first.status_code == 200
    assert second.status_code == 400
    assert json_of(second)["errors"][0]["source"]["pointer"] == "/data/attributes/token"


def test_password_reset_revokes_api_keys(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    headers = _token(client, user)
    client.post(
        f"{AUTH}/password/reset/", json=doc("PasswordResetView", email=user.email)
    )
    uid, token = _reset_link(mailbox.only().body)
    client.post(
        f"{AUTH}/password/reset/confirm/",
        json=doc(
            "PasswordResetConfirmView",
            uid=uid,
            token=token,
            new_password1=NEW,
            new_password2=NEW,
        ),
    )

    assert_refused(
        client,
        "GET",
        f"{AUTH}/user/",
        401,
        headers=headers,
        unchanged=("users",),
        header="Authorization",
    )


def test_password_reset_unknown_address_answers_the_same_and_mails_nothing(
    client: FlaskClient, mailbox: Mailbox
) -> None:
    resp = client.post(
        f"{AUTH}/password/reset/",
        json=doc("PasswordResetView", email="nobody@example.org"),
    )

    assert resp.status_code == 200
    assert resp.json == {"data": {"detail": "Password reset e-mail has been sent."}}
    assert mailbox.received == []


def test_password_reset_confirm_forged_token_is_400(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    assert_refused(
        client,
        "POST",
        f"{AUTH}/password/reset/confirm/",
        400,
        json=doc(
            "PasswordResetConfirmView",
            uid="1",
            token=f"{user.id}.forged",
            new_password1=NEW,
            new_password2=NEW,
        ),
        unchanged=("users",),
        pointer="/data/attributes/token",
    )


def test_password_reset_link_is_absolute_and_opens_the_page(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    user = make_user(session)
    client.post(
        f"{AUTH}/password/reset/", json=doc("PasswordResetView", email=user.email)
    )

    link = next(
        url for url in mailbox.only().links() if "/accounts/password/reset/key/" in url
    )
    page = client.get(path_of(link))

    assert link.startswith("http://localhost/accounts/password/reset/key/")
    assert page.status_code == 200
    assert 'name="password1"' in page.get_data(as_text=True)


def test_password_reset_answers_alike_for_known_and_unknown_addresses(
    client: FlaskClient,
    session: Session,
    mail_server: str,
) -> None:
    user = make_user(session)

    known, unknown = (
        client.post(f"{AUTH}/password/reset/", json=doc("PasswordResetView", email=e))
        for e in (user.email, "nobody@example.org")
    )

    sent = {"data": {"detail": "Password reset e-mail has been sent."}}
    assert (known.status_code, known.json) == (200, sent)
    assert (unknown.status_code, unknown.json) == (200, sent)


def test_password_reset_answers_before_the_mail_goes_out(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    """The answer must not wait for SMTP, which only known addresses need: its
    time would tell which addresses have accounts. A server sends the mail once
    it has written the answer and closes it."""
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/password/reset/",
        json=doc("PasswordResetView", email=user.email),
        buffered=False,
    )
    answered = resp.get_data(as_text=True)
    before_close = len(mailbox.received)
    resp.close()

    assert "Password reset e-mail has been sent." in answered
    assert before_close == 0
    assert mailbox.only().message["To"] == user.email


@pytest.mark.parametrize(
    ("path", "type_"),
    [
        ("password/reset/", "PasswordResetView"),
        ("registration/resend-email/", "ResendEmailVerificationView"),
    ],
)
def test_an_address_longer_than_254_characters_is_400_at_email(
    client: FlaskClient, mailbox: Mailbox, path: str, type_: str
) -> None:
    assert_refused(
        client,
        "POST",
        f"{AUTH}/{path}",
        400,
        json=doc(type_, email="a" * 243 + "@example.org"),
        unchanged=("users", "login_failures"),
        pointer="/data/attributes/email",
    )
    assert mailbox.received == []
