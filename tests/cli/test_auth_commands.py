"""``flask auth prune`` deletes expired revocations, log-in counters, ended log-ins and
member finds only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flask import Flask

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Login, LoginFailure, MemberLookup, RevokedToken
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
        "Pruned 1 revoked credentials, 1 log-in counters, 1 ended log-ins and "
        "0 member finds by e-mail." in result.output
    )
    assert list(session.scalars(select(Login.fingerprint))) == ["live"]
    assert list(session.scalars(select(RevokedToken.jti))) == ["live"]
    assert list(session.scalars(select(LoginFailure.key))) == ["a" * 64]


def test_auth_prune_deletes_member_finds_whose_window_passed(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MEMBER_LOOKUP_WINDOW_S", 600)
    now = utcnow()
    finder, fresh, stale = make_user(session), make_user(session), make_user(session)
    session.add_all(
        [
            MemberLookup(
                finder_id=finder.id,
                user_id=fresh.id,
                found_at=now - timedelta(seconds=590),
            ),
            MemberLookup(
                finder_id=finder.id,
                user_id=stale.id,
                found_at=now - timedelta(seconds=610),
            ),
        ]
    )
    session.flush()

    result = app.test_cli_runner().invoke(args=["auth", "prune"])

    assert result.exit_code == 0, result.output
    assert "and 1 member finds by e-mail." in result.output
    assert list(session.scalars(select(MemberLookup.user_id))) == [fresh.id]


def test_auth_prune_has_help(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["auth", "prune", "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_auth_prune_help_says_the_jobs_process_does_not_run_it(app: Flask) -> None:
    from app.jobs import JOBS

    result = app.test_cli_runner().invoke(args=["auth", "prune", "--help"])

    assert not any("auth" in j.id or "prune" in j.function for j in JOBS)
    assert "The jobs process does not run it" in result.output
    assert "cron" in result.output
