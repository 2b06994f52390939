"""Stored passwords: argon2id, never in clear; Managair's PBKDF2 hashes upgraded at log-in."""

from __future__ import annotations

import logging

import pytest

from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.support.accounts import AUTH, api_login, doc
from tests.support.smtp import Mailbox

# annaAngestellte's hash from Managair's user fixtures; the password is "anna".
MANAGAIR_HASH = (
    "pbkdf2_sha256$216000$Q3TKNokPgcxN$zxcRM/6zOJFj7PZtM8wi3APBpUVWxDpUkunXN0zerKs="
)
PASSWORD = "maxi-mustermann-2024"


def test_managair_pbkdf2_hash_logs_in_and_is_upgraded_to_argon2id(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, username="annaAngestellte", password_hash=MANAGAIR_HASH)

    first = api_login(client, "anna", username="annaAngestellte")
    session.refresh(user)
    second = api_login(client, "anna", username="annaAngestellte")

    assert first.status_code == 200
    assert user.password_hash.startswith("$argon2id$")
    assert second.status_code == 200


def test_managair_hash_is_kept_after_a_wrong_password(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, password_hash=MANAGAIR_HASH)

    api_login(client, "not-anna", username=user.username)

    session.refresh(user)
    assert user.password_hash == MANAGAIR_HASH


@pytest.mark.parametrize("rounds", ["0", "99999999999999999999"])
def test_a_hash_imported_with_impossible_rounds_is_a_refused_login(
    client: FlaskClient, session: Session, rounds: str
) -> None:
    """Such a hash (from a damaged Managair table) made log-in a 500."""
    user = make_user(session, password_hash=f"pbkdf2_sha256${rounds}$salt$abc")

    resp = api_login(client, "whatever123", username=user.username)

    assert resp.status_code == 400, resp.json


def test_registration_stores_argon2id_and_never_the_password(
    client: FlaskClient,
    session: Session,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    client.post(
        f"{AUTH}/registration/",
        json=doc(
            "RegisterView",
            username="hashed",
            email="hashed@example.org",
            password1=PASSWORD,
            password2=PASSWORD,
        ),
    )

    stored = session.execute(
        text(
            "SELECT password_hash, users::text AS whole FROM users "
            "WHERE username = 'hashed'"
        )
    ).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.whole
    assert PASSWORD not in caplog.text
    assert PASSWORD not in mailbox.only().body


def test_failed_login_logs_no_password(
    client: FlaskClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = make_user(session)

    api_login(client, "a-secret-guess-123", username=user.username)

    assert "a-secret-guess-123" not in caplog.text
