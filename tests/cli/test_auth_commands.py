"""``flask auth prune`` deletes expired revocations and log-in counters only."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LoginFailure, RevokedToken
from app.models.types import utcnow


def test_auth_prune_keeps_what_is_still_needed(app: Flask, session: Session) -> None:
    now = utcnow()
    session.add_all(
        [
            RevokedToken(jti="old", kind="access", expires_at=now - timedelta(days=1)),
            RevokedToken(
                jti="live", kind="refresh", expires_at=now + timedelta(days=1)
            ),
            LoginFailure(scope="account", key="a" * 64, window_start=now, failures=2),
            LoginFailure(
                scope="address",
                key="b" * 64,
                window_start=now - timedelta(days=1),
                failures=9,
            ),
        ]
    )
    session.flush()

    result = app.test_cli_runner().invoke(args=["auth", "prune"])

    assert result.exit_code == 0, result.output
    assert "Pruned 1 revoked credentials and 1 log-in counters." in result.output
    assert list(session.scalars(select(RevokedToken.jti))) == ["live"]
    assert list(session.scalars(select(LoginFailure.key))) == ["a" * 64]


def test_auth_prune_has_help(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["auth", "prune", "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output
