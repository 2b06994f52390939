"""Failed log-in counters in PostgreSQL, per account and per client address.

Why not Flask-Limiter: the web process runs several gunicorn workers (and may
run replicas). Flask-Limiter's in-memory storage counts per worker, so N workers
allow N times the limit, and its shared storages need Redis or Memcached, which
this deployment does not run. Every worker already shares the database: a failed
attempt is one upsert, a check one primary-key read. Only *failed* attempts
count, per account whichever name or address was typed, which a request counter
keyed by URL does not express. The caller chooses the account key: the log-in
keys it by account *and* client address (:func:`app.services.accounts.profile.attempt_login`),
so nobody can lock an owner out from another address.

Fixed windows: the first failure opens a window of ``window_s`` seconds; when a
counter reaches its limit, attempts are refused with 429 until that window ends.
A successful log-in clears the account's counter, not the address's. Keys are
stored as SHA-256 digests, so the table holds no names or addresses in clear.

Other attempts are counted the same way under a ``purpose`` that goes into the
digest (requests for account mail and the mails per recipient:
:mod:`app.services.accounts.mail_throttle`, failed ingest tokens:
:data:`INGEST_TOKEN`), so one table and one window serve every limit; the log-in
counters have the empty purpose.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import ngettext

from sqlalchemy import case, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.errors import ThrottledError
from app.models import LoginFailure

ACCOUNT = "account"
ADDRESS = "address"
LOGIN = ""
PASSWORD_RESET = "password-reset"  # noqa: S105  # a purpose, not a secret
INGEST_TOKEN = "ingest-token"  # noqa: S105  # a purpose, not a secret


@dataclass(frozen=True)
class Limits:
    """Failed attempts allowed per window (0: unlimited) and the window's length."""

    per_account: int
    per_address: int
    window_s: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """Read ``LOGIN_RATE_LIMIT_*`` from the app's settings."""
        return cls._read(config, "LOGIN")

    @classmethod
    def for_password_reset(cls, config: Mapping[str, Any]) -> Limits:
        """Read ``PASSWORD_RESET_RATE_LIMIT_*`` (and the shared window)."""
        return cls._read(config, "PASSWORD_RESET")

    @classmethod
    def _read(cls, config: Mapping[str, Any], prefix: str) -> Limits:
        """Read ``<prefix>_RATE_LIMIT_ACCOUNT``/``_ADDRESS``; every purpose shares
        ``LOGIN_RATE_LIMIT_WINDOW_S``."""
        return cls(
            per_account=int(config[f"{prefix}_RATE_LIMIT_ACCOUNT"]),
            per_address=int(config[f"{prefix}_RATE_LIMIT_ADDRESS"]),
            window_s=int(config["LOGIN_RATE_LIMIT_WINDOW_S"]),
        )

    @property
    def window(self) -> timedelta:
        """The window as a duration."""
        return timedelta(seconds=self.window_s)


def check(
    session: Session,
    limits: Limits,
    account: str,
    address: str,
    now: datetime,
    *,
    purpose: str = LOGIN,
    message: Callable[[int], str] | None = None,
) -> None:
    """Refuse the attempt while the account or the address is over its limit.

    Args:
        session: the database session.
        limits: the configured limits.
        account: the account key (the log-in's includes the client address).
        address: the client's address.
        now: the current time.
        purpose: what is counted (:data:`LOGIN` by default).
        message: the 429's detail for the minutes to wait (default: the
            log-in's).

    Raises:
        ThrottledError: too many attempts in the current window (429).
    """
    retry_after = wait_s(session, limits, account, address, now, purpose=purpose)
    if retry_after is not None:
        minutes = max(1, math.ceil(retry_after / 60))
        detail = (message or _too_many_failures)(minutes)
        raise ThrottledError(detail, retry_after_s=retry_after)


def _too_many_failures(minutes: int) -> str:
    detail: str = ngettext(
        "Too many failed sign-in attempts. Try again in %(num)d minute.",
        "Too many failed sign-in attempts. Try again in %(num)d minutes.",
        minutes,
    )
    return detail


def wait_s(
    session: Session,
    limits: Limits,
    account: str,
    address: str,
    now: datetime,
    *,
    purpose: str = LOGIN,
) -> int | None:
    """Return the seconds until the account and the address are under their
    limits again, or None when both are under them now."""
    keyed = _keys(limits, account, address, purpose)
    if not keyed:
        return None
    rows = session.execute(
        select(
            LoginFailure.scope,
            LoginFailure.key,
            LoginFailure.window_start,
            LoginFailure.failures,
        ).where(tuple_(LoginFailure.scope, LoginFailure.key).in_(list(keyed)))
    ).all()
    waits = [
        (window_start + limits.window - now).total_seconds()
        for scope, key, window_start, failures in rows
        if failures >= keyed[(scope, key)] and window_start + limits.window > now
    ]
    return max(1, math.ceil(max(waits))) if waits else None


def record_failure(
    session: Session,
    limits: Limits,
    account: str,
    address: str,
    now: datetime,
    *,
    purpose: str = LOGIN,
) -> None:
    """Count one failed attempt for the account and for the address (flushes)."""
    for scope, key in _keys(limits, account, address, purpose):
        stmt = insert(LoginFailure).values(
            scope=scope, key=key, window_start=now, failures=1
        )
        expired = LoginFailure.window_start <= now - limits.window
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[LoginFailure.scope, LoginFailure.key],
                set_={
                    "failures": case((expired, 1), else_=LoginFailure.failures + 1),
                    "window_start": case(
                        (expired, stmt.excluded.window_start),
                        else_=LoginFailure.window_start,
                    ),
                },
            )
        )


def clear_account(session: Session, account: str) -> None:
    """Forget the failures of an account after a successful log-in."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.scope == ACCOUNT, LoginFailure.key == _digest(ACCOUNT, account)
        )
    )


def prune(session: Session, limits: Limits, now: datetime) -> int:
    """Delete counters whose window has ended; returns how many."""
    result = session.execute(
        delete(LoginFailure).where(LoginFailure.window_start <= now - limits.window)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _keys(
    limits: Limits, account: str, address: str, purpose: str = LOGIN
) -> dict[tuple[str, str], int]:
    keyed = {}
    if limits.per_account > 0 and account:
        keyed[(ACCOUNT, _digest(ACCOUNT, account, purpose))] = limits.per_account
    if limits.per_address > 0 and address:
        keyed[(ADDRESS, _digest(ADDRESS, address, purpose))] = limits.per_address
    return keyed


def _digest(scope: str, value: str, purpose: str = LOGIN) -> str:
    prefix = f"{purpose}:" if purpose else ""
    return hashlib.sha256(f"{prefix}{scope}:{value}".encode()).hexdigest()
