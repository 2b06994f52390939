"""Password hashing: argon2id for new hashes, Managair's Django PBKDF2 hashes verified."""

from __future__ import annotations

import pytest

from app.services.accounts.passwords import hash_password, needs_rehash, verify_password
from tests.support.managair_data import user_records


def _django_hash(username: str) -> str:
    return str(
        next(
            r["fields"]["password"]
            for r in user_records()
            if r["model"] == "auth.user" and r["fields"]["username"] == username
        )
    )


def test_new_hashes_are_argon2id_and_never_the_password() -> None:
    stored = hash_password("s3cret-pass")

    assert stored.startswith("$argon2id$")
    assert "s3cret-pass" not in stored
    assert verify_password(stored, "s3cret-pass")
    assert not verify_password(stored, "s3cret-pasS")
    assert not needs_rehash(stored)


@pytest.mark.parametrize(
    ("username", "password"), [("tomTester", "test"), ("admin", "admin")]
)
def test_managair_pbkdf2_hashes_verify_and_ask_for_rehash(
    username: str, password: str
) -> None:
    stored = _django_hash(username)

    assert verify_password(stored, password)
    assert not verify_password(stored, password + "x")
    assert needs_rehash(stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "!unusable",
        "pbkdf2_sha256$x$y",
        "garbage",
        # imported with rounds PBKDF2 refuses (ValueError) or cannot count
        # (OverflowError): both were a 500 at log-in
        "pbkdf2_sha256$0$salt$abc",
        "pbkdf2_sha256$-5$salt$abc",
        "pbkdf2_sha256$99999999999999999999$salt$abc",
        # more rounds than Django ever used: minutes of a worker per attempt
        "pbkdf2_sha256$10000001$salt$abc",
    ],
)
def test_unusable_or_malformed_hashes_never_verify(stored: str) -> None:
    assert not verify_password(stored, "anything")
