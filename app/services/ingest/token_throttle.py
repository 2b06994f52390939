"""Failed ingest tokens are limited per client address, with the log-in counters.

A client that keeps presenting unknown or revoked tokens gets 429 with
``Retry-After`` once it reached ``INGEST_TOKEN_RATE_LIMIT_ADDRESS`` failures in
the rate-limit window, as failed log-ins do (:mod:`app.services.accounts.login_throttle`,
purpose :data:`~app.services.accounts.login_throttle.INGEST_TOKEN`). The token is
looked up first and only a failed lookup is checked and counted: a valid token
always gets through, so nobody can lock the tenants out who share an address
with them (a network server's webhooks, a NAT): a token proves itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.services.accounts import login_throttle
from app.services.accounts.login_throttle import Limits
from app.services.ingest import credentials
from app.services.ingest.credentials import IngestScope, TokenCache
from app.services.ingest.errors import MissingTokenError

MESSAGE = "Too many invalid ingest tokens from this address. Try again later."


def limits(config: Mapping[str, Any]) -> Limits:
    """Failures allowed per client address (``INGEST_TOKEN_RATE_LIMIT_ADDRESS``)."""
    return Limits(
        per_account=0,
        per_address=int(config["INGEST_TOKEN_RATE_LIMIT_ADDRESS"]),
        window_s=int(config["LOGIN_RATE_LIMIT_WINDOW_S"]),
    )


def authenticate(
    session: Session,
    headers: Mapping[str, str],
    config: Mapping[str, Any],
    cache: TokenCache,
    address: str,
    now: datetime,
) -> IngestScope:
    """:func:`credentials.authenticate`; a bad token from an address with too many
    failures is refused with 429 instead of 401 (a valid one is never refused).

    A failure is counted in ``session`` (flushed); the caller commits it before
    answering 401, as the log-in does.

    Raises:
        ThrottledError: the address presented too many bad tokens (429).
        MissingTokenError: no token, or an unknown or revoked one (401).
    """
    mode, header = config["INGEST_AUTH"], config["INGEST_TOKEN_HEADER"]
    try:
        return credentials.authenticate(session, headers, mode, header, cache)
    except MissingTokenError:
        presented = credentials.presented_key(headers, header)
        if mode == credentials.AUTH_TOKEN and presented:
            bounds = limits(config)
            login_throttle.check(
                session,
                bounds,
                "",
                address,
                now,
                purpose=login_throttle.INGEST_TOKEN,
                message=lambda _minutes: MESSAGE,
            )
            login_throttle.record_failure(
                session, bounds, "", address, now, purpose=login_throttle.INGEST_TOKEN
            )
        raise
