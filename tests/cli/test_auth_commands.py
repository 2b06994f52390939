"""``flask auth prune`` deletes expired revocations, log-in counters and ended log-ins only."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Login, LoginFailure, RevokedToken
from app.models.types import utcnow
from tests.factories import make_user


def test_auth_prune_keeps_what_is_still_needed(app: Flask, session: Session) -> None:
    now = utcnow()
    user = make_user(session)
    session.add_all(
        [
            Login(user_id=user.id, fingerprint="live"),
            Login(user_id=user.id, fingerprint="ended", ended_at=now),
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
    assert (
        "Pruned 1 revoked credentials, 1 log-in counters and 1 ended log-ins."
        in result.output
    )
    assert list(session.scalars(select(Login.fingerprint))) == ["live"]
    assert list(session.scalars(select(RevokedToken.jti))) == ["live"]
    assert list(session.scalars(select(LoginFailure.key))) == ["a" * 64]


def test_auth_prune_has_help(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["auth", "prune", "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output
