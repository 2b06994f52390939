"""The command-line interface: every command explains itself and works."""

from __future__ import annotations

from pathlib import Path

import pytest

from flask import Flask

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import COMMANDS as GROUPS
from app.models import User
from app.services.accounts.passwords import verify_password

COMMANDS = (
    ["users", "create"],
    ["demo", "load"],
    ["users"],
    ["demo"],
    ["db", "upgrade"],
)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(app: Flask, command: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=[*command, "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_flask_help_lists_every_group_with_its_short_help(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["--help"])

    assert result.exit_code == 0, result.output
    for name, _target in GROUPS:
        assert f"  {name} " in result.output
    assert "Import data from other systems." in result.output
    assert "Perform database migrations." in result.output
    assert "Downsampled series: refresh, status, storage, day zone." in result.output


def test_db_group_is_flask_migrates(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["db", "--help"])

    assert result.exit_code == 0, result.output
    assert "Perform database migrations." in result.output
    for command in ("upgrade", "downgrade", "heads", "current"):
        assert f"  {command} " in result.output


def test_users_create_reads_password_file_and_hashes_it(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "carla",
            "carla@example.org",
            "--password-file",
            str(secret),
            "--staff",
            "--verified",
        ]
    )

    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "carla")).one()
    assert user.is_staff
    assert user.email_verified
    assert not user.is_superuser
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-password" not in user.password_hash
    assert verify_password(user.password_hash, "a-long-password")


def test_users_create_prompts_for_password_twice(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "dora", "dora@example.org"],
        input="another-password\nanother-password\n",
    )

    assert result.exit_code == 0, result.output
    assert session.scalars(select(User).where(User.username == "dora")).one()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "This password is entirely numeric."),
        ("hilde@example", "The password is too similar to the e-mail address."),
        ("x" * 1025, "This password is too long. It may contain at most 1024"),
    ],
    ids=["numeric", "like the address", "too long"],
)
def test_users_create_holds_the_password_to_the_sign_up_rules(
    app: Flask, session: Session, tmp_path: Path, password: str, message: str
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(password + "\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "hilde",
            "hilde@example.org",
            "--superuser",
            "--password-file",
            str(secret),
        ]
    )

    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    assert message in result.output
    assert session.scalar(select(func.count(User.id))) == 0


def test_users_create_reads_only_the_first_line_of_a_huge_password_file(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    with secret.open("wb") as stream:  # 64 MB without a line end
        for _ in range(64):
            stream.write(b"p" * 1024 * 1024)

    result = app.test_cli_runner().invoke(
        args=["users", "create", "ida", "i@example.org", "--password-file", str(secret)]
    )

    assert result.exit_code == 2, result.output
    assert (
        "Invalid value for '--password-file': the first line is longer than a "
        "password may be (1024 characters); put only the password on it."
    ) in result.output
    assert session.scalar(select(func.count(User.id))) == 0


def test_users_create_reads_the_password_from_standard_input_for_a_dash(
    app: Flask, session: Session
) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "lea", "lea@example.org", "--password-file", "-"],
        input="a-long-password\nnot this line\n",
    )

    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "lea")).one()
    assert verify_password(user.password_hash, "a-long-password")


def test_users_create_ignores_the_byte_order_mark_of_a_password_file(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\r\n", encoding="utf-8-sig")

    result = app.test_cli_runner().invoke(
        args=["users", "create", "jo", "jo@example.org", "--password-file", str(secret)]
    )

    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "jo")).one()
    assert verify_password(user.password_hash, "a-long-password")


@pytest.mark.parametrize("username", ["a b", "tab\tname", "bell\x07", "semi;colon"])
def test_users_create_refuses_a_username_sign_up_refuses(
    app: Flask, session: Session, tmp_path: Path, username: str
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            username,
            "k@example.org",
            "--password-file",
            str(secret),
        ]
    )

    assert result.exit_code == 2, result.output
    assert (
        "Invalid value for 'USERNAME': use only letters, digits and @/./+/-/_ "
        "(no spaces or control characters)."
    ) in result.output
    assert session.scalar(select(func.count(User.id))) == 0


def test_users_create_duplicate_username_is_a_clear_error(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password", encoding="utf-8")
    runner = app.test_cli_runner()
    args = [
        "users",
        "create",
        "emil",
        "emil@example.org",
        "--password-file",
        str(secret),
    ]
    runner.invoke(args=args)

    result = runner.invoke(args=[*args[:3], "other@example.org", *args[4:]])

    assert result.exit_code == 1
    assert "username 'emil' is taken" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [("short", "at least 8 characters"), ("", "at least 8 characters")],
    ids=["short", "empty file"],
)
def test_users_create_short_password_is_refused(
    app: Flask, session: Session, tmp_path: Path, content: str, message: str
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(content, encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "fritz",
            "f@example.org",
            "--password-file",
            str(secret),
        ]
    )

    assert result.exit_code == 1
    assert message in result.output
    assert session.scalars(select(User).where(User.username == "fritz")).first() is None


def test_demo_load_prints_logins_and_is_idempotent(
    app: Flask, session: Session
) -> None:
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load", "--if-empty"])

    assert first.exit_code == 0, first.output
    assert "olivia-demo" in first.output
    assert "not loaded" in second.output
    assert "olivia-demo" in second.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["x" * 200, "e3@example.org"],
            "The username must have at most 150 characters.",
        ),
        (
            ["erin", "e@example.org", "--first-name", "f" * 300],
            "The first name must have at most 150 characters.",
        ),
        (["u\udced\udca0\udc80", "e15@example.org"], "The username is not valid text"),
    ],
    ids=["long username", "long first name", "surrogate username"],
)
def test_users_create_refuses_unstorable_text_with_a_message(
    app: Flask, session: Session, tmp_path: Path, extra: list[str], message: str
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["users", "create", *extra, "--password-file", str(secret)]
    )

    assert result.exit_code == 1, result.output
    assert f"Error: {message}" in result.output
    assert session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize(
    "email",
    [
        "no-at-sign.example.org",
        "two@@example.org",
        "nobody@",
        "@example.org",
        "dot@nodot",
        "special@use.test",
        "e" * 300 + "@example.org",
    ],
)
def test_users_create_refuses_an_invalid_email_naming_the_argument(
    app: Flask, session: Session, tmp_path: Path, email: str
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["users", "create", "erin", email, "--password-file", str(secret)]
    )

    assert result.exit_code == 2, result.output
    assert "Invalid value for 'EMAIL': Enter a valid e-mail address." in result.output
    assert session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize(
    ("email", "stored"),
    [(" Erin@Example.ORG ", "Erin@example.org"), ("", "")],
    ids=["normalized", "blank is no address"],
)
def test_users_create_keeps_a_valid_email_normalized(
    app: Flask, session: Session, tmp_path: Path, email: str, stored: str
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["users", "create", "erin", email, "--password-file", str(secret)]
    )

    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.username == "erin")).one()
    assert user.email == stored


@pytest.mark.parametrize(
    ("email", "way"),
    [
        ("", "it has no address to confirm"),
        (
            "nina@example.org",
            "its owner can ask for a confirmation link at /accounts/confirm-email/",
        ),
    ],
    ids=["no address", "address"],
)
def test_users_create_warns_that_an_unverified_account_cannot_log_in(
    app: Flask,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    email: str,
    way: str,
) -> None:
    monkeypatch.setitem(app.config, "ACCOUNT_EMAIL_VERIFICATION", True)
    secret = tmp_path / "pw"
    secret.write_text("a-long-password\n", encoding="utf-8")
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=["users", "create", "nina", email, "--password-file", str(secret)]
    )
    verified = runner.invoke(
        args=[
            "users",
            "create",
            "otto",
            "",
            "--verified",
            "--password-file",
            str(secret),
        ]
    )

    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "Warning: 'nina' cannot log in until its e-mail address is verified "
        f"(ACCOUNT_EMAIL_VERIFICATION=1) and no confirmation mail was sent: {way}; "
        "--verified creates an account that can log in at once.\n"
    )
    assert verified.exit_code == 0, verified.output
    assert "Warning" not in verified.output


def test_users_create_refuses_a_password_file_that_is_not_utf8(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_bytes(b"\xff\xfe\xfd-long-password\n")

    result = app.test_cli_runner().invoke(
        args=["users", "create", "u8", "e8@example.org", "--password-file", str(secret)]
    )

    assert result.exit_code == 2, result.output
    assert "'--password-file': the file is not UTF-8 text" in result.output
    assert session.scalar(select(func.count(User.id))) == 0


#: commands that read or write the database, each as a script would run it
DATABASE_COMMANDS = (
    ["auth", "prune"],
    ["demo", "load"],
    ["ingest-tokens", "list"],
    ["analysts", "list"],
    ["series", "status"],
    ["series", "refresh", "--quiet"],
)


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_commands_say_in_one_line_that_the_database_is_away(
    command: list[str],
) -> None:
    from app import create_app
    from tests.support.smtp import free_port

    port = free_port()
    away = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": (
                f"postgresql+psycopg://co2:co2@127.0.0.1:{port}/nowhere"
            ),
            "LOG_LEVEL": "WARNING",
        }
    )

    with away.app_context():
        result = away.test_cli_runner().invoke(args=command)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1] == (
        "Error: database unreachable (connection failed: connection to server at "
        f'"127.0.0.1", port {port} failed: Connection refused); check DATABASE_URL'
    )


@pytest.mark.parametrize(
    "command", [["auth", "prune"], ["ingest-tokens", "list"]], ids=" ".join
)
def test_commands_say_to_migrate_a_database_that_was_not(command: list[str]) -> None:
    from app import create_app
    from app.extensions import db
    from tests.support.database import throwaway_database

    with throwaway_database() as url:
        bare = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"}
        )
        with bare.app_context():
            result = bare.test_cli_runner().invoke(args=command)
            db.engine.dispose()

    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the database schema is not up to date (")
    assert result.output.endswith("run `flask db upgrade` first\n")


def test_db_upgrade_says_in_one_line_that_the_database_is_away() -> None:
    from app import create_app
    from tests.support.smtp import free_port

    port = free_port()
    away = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": (
                f"postgresql+psycopg://co2:co2@127.0.0.1:{port}/nowhere"
            ),
            "LOG_LEVEL": "WARNING",
        }
    )

    with away.app_context():
        result = away.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1] == (
        "Error: database unreachable (connection failed: connection to server at "
        f'"127.0.0.1", port {port} failed: Connection refused); check DATABASE_URL'
    )
