"""``flask ingest-tokens``: create (secret shown once), list, revoke."""

from __future__ import annotations

import pytest

from flask import Flask

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ApiToken
from app.services.accounts import tokens
from tests.factories import make_organization, make_user


@pytest.mark.parametrize(
    "command",
    [
        ["ingest-tokens"],
        ["ingest-tokens", "create"],
        ["ingest-tokens", "list"],
        ["ingest-tokens", "revoke"],
    ],
    ids=" ".join,
)
def test_ingest_token_commands_have_help(app: Flask, command: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=[*command, "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_revoke_help_names_how_long_workers_keep_accepting_the_token(
    app: Flask,
) -> None:
    result = app.test_cli_runner().invoke(args=["ingest-tokens", "revoke", "--help"])
    text = " ".join(result.output.split())

    assert app.config["INGEST_TOKEN_CACHE_S"] == 5
    assert "within the last INGEST_TOKEN_CACHE_S seconds (default 5)" in text
    assert "at once" not in text


def test_create_prints_the_secret_once_and_stores_only_its_digest(
    app: Flask, session: Session
) -> None:
    org = make_organization(session)

    result = app.test_cli_runner().invoke(
        args=["ingest-tokens", "create", "--organization", str(org.id), "--name", "TTN"]
    )

    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    token = tokens.find_active(session, key, "ingest")
    assert token is not None
    assert (token.organization_id, token.name) == (org.id, "TTN")
    assert key not in token.digest


def test_create_without_organization_is_deployment_wide(
    app: Flask, session: Session
) -> None:
    result = app.test_cli_runner().invoke(args=["ingest-tokens", "create"])

    assert "deployment-wide" in result.output
    token = tokens.find_active(
        session, result.output.strip().splitlines()[-1], "ingest"
    )
    assert token is not None
    assert token.organization_id is None


def test_create_for_unknown_organization_fails_clearly(
    app: Flask, session: Session
) -> None:
    result = app.test_cli_runner().invoke(
        args=["ingest-tokens", "create", "--organization", "999999"]
    )

    assert result.exit_code == 1
    assert "No organization with id 999999" in result.output


def test_list_shows_prefixes_not_secrets_and_hides_revoked(
    app: Flask, session: Session
) -> None:
    kept = tokens.issue_ingest_token(session, None, "kept")
    gone = tokens.issue_ingest_token(session, None, "gone")
    tokens.revoke(session, gone.token.id)

    output = app.test_cli_runner().invoke(args=["ingest-tokens", "list"]).output

    assert f"{kept.key[:8]}…" in output
    assert kept.key not in output
    assert "gone" not in output


def test_revoke_stops_the_token(app: Flask, session: Session) -> None:
    issued = tokens.issue_ingest_token(session, None)

    result = app.test_cli_runner().invoke(
        args=["ingest-tokens", "revoke", str(issued.token.id)]
    )

    assert result.exit_code == 0, result.output
    assert tokens.find_active(session, issued.key, "ingest") is None


def test_revoke_again_says_the_token_was_revoked_already(
    app: Flask, session: Session
) -> None:
    issued = tokens.issue_ingest_token(session, None)
    tokens.revoke(session, issued.token.id)
    session.refresh(issued.token)
    revoked_at = issued.token.revoked_at
    assert revoked_at is not None

    result = app.test_cli_runner().invoke(
        args=["ingest-tokens", "revoke", str(issued.token.id)]
    )

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Ingest token {issued.token.id} was revoked already, at "
        f"{revoked_at.isoformat(timespec='seconds')}.\n"
    )
    session.refresh(issued.token)
    assert issued.token.revoked_at == revoked_at


def test_revoke_unknown_token_fails_clearly(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["ingest-tokens", "revoke", "999999"])

    assert result.exit_code == 1
    assert "No ingest token with id 999999" in result.output


def test_revoke_refuses_user_api_keys(app: Flask, session: Session) -> None:
    issued = tokens.issue_user_key(session, make_user(session))
    session.commit()  # the failing command rolls its own transaction back

    result = app.test_cli_runner().invoke(
        args=["ingest-tokens", "revoke", str(issued.token.id)]
    )

    assert result.exit_code == 1
    assert tokens.find_active(session, issued.key, "user") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--organization", "99999999999999999999"], "'--organization'"),
        (["create", "--organization", "0"], "'--organization'"),
        (["revoke", "99999999999999999999"], "'TOKEN_ID'"),
        (["create", "--name", "n" * 1000], "'--name': at most 100 characters"),
        (["create", "--name", "TTN\twebhook"], "'--name': give printable text"),
        (["create", "--name", "two\nlines"], "'--name': give printable text"),
        (["create", "--name", "bytes \udcff\udcfe"], "'--name': give printable text"),
    ],
    ids=[
        "huge organization",
        "organization 0",
        "huge token id",
        "long name",
        "tab in name",
        "line break in name",
        "undecodable name",
    ],
)
def test_out_of_range_arguments_are_usage_errors(
    app: Flask, session: Session, args: list[str], message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["ingest-tokens", *args])

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert session.scalar(select(func.count(ApiToken.id))) == 0
