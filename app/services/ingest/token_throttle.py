"""Failed ingest tokens are limited per client address, with the log-in counters.

A client that keeps presenting unknown or revoked tokens gets 429 with
``Retry-After`` once it reached ``INGEST_TOKEN_RATE_LIMIT_ADDRESS`` failures in
the rate-limit window, as failed log-ins do (:mod:`app.services.accounts.login_throttle`,
purpose :data:`~app.services.accounts.login_throttle.INGEST_TOKEN`). Only requests whose
token the worker has not verified recently are checked, so the steady stream of
good samples costs no extra query.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.services.accounts import login_throttle, tokens
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
    """:func:`credentials.authenticate`, refusing addresses with too many failures.

    A failure is counted in ``session`` (flushed); the caller commits it before
    answering 401, as the log-in does.

    Raises:
        ThrottledError: the address presented too many bad tokens (429).
        MissingTokenError: no token, or an unknown or revoked one (401).
    """
    mode, header = config["INGEST_AUTH"], config["INGEST_TOKEN_HEADER"]
    key = credentials.presented_key(headers, header)
    bounds = limits(config)
    looked_up = (
        mode == credentials.AUTH_TOKEN
        and bool(key)
        and cache.get(tokens.digest(key)) is None
    )
    if looked_up:
        login_throttle.check(
            session,
            bounds,
            "",
            address,
            now,
            purpose=login_throttle.INGEST_TOKEN,
            message=MESSAGE,
        )
    try:
        return credentials.authenticate(session, headers, mode, header, cache)
    except MissingTokenError:
        if looked_up:
            login_throttle.record_failure(
                session, bounds, "", address, now, purpose=login_throttle.INGEST_TOKEN
            )
        raise
