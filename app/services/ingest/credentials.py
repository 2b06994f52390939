"""Who may ingest: the one check of ingest tokens, run by every ingest route.

With ``INGEST_AUTH=token`` a request presents an ingest token as
``Authorization: Token <t>``, ``Authorization: Bearer <t>`` (what network servers'
webhook settings can send) or in the header named by ``INGEST_TOKEN_HEADER``. A token
of an organization may post for that organization's nodes only; a token without an
organization is deployment-wide. With ``INGEST_AUTH=none`` (an internal endpoint, as
in the Clair stack) credentials are not looked at.

A process remembers a verified token for ``INGEST_TOKEN_CACHE_S`` seconds (default
5; 0 turns this off): single-sample ingest then skips one query per sample, and a
revoked token stops working within that time in every worker.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app.models.types import utcnow
from app.services.accounts import tokens
from app.services.ingest import driver
from app.services.ingest.errors import MissingTokenError

AUTH_TOKEN = "token"  # noqa: S105 - a mode name, not a secret
AUTH_NONE = "none"
SCHEMES = ("token", "bearer")
# ``last_used_at`` is a hint for people reviewing tokens; writing it on every
# sample would double the writes of single-sample ingest.
TOUCH_EVERY = timedelta(minutes=5)
# Plain SQL on the driver: this runs once per ingested sample, and the ORM query
# cost more than the rest of a single-sample request.
_ACTIVE = (
    "SELECT id, organization_id, last_used_at FROM api_tokens "
    "WHERE digest = %(digest)s AND kind = 'ingest' AND revoked_at IS NULL"
)
_TOUCH = "UPDATE api_tokens SET last_used_at = %(now)s WHERE id = %(id)s"


@dataclass(frozen=True)
class IngestScope:
    """Which nodes a request may post samples for.

    Attributes:
        organization_id: only this organization's nodes; None for every node.
        token_id: the token used, None when ingest is open.
    """

    organization_id: int | None = None
    token_id: int | None = None

    def allows(self, owner_id: int) -> bool:
        """Whether samples of a node owned by ``owner_id`` may be posted."""
        return self.organization_id is None or self.organization_id == owner_id


OPEN = IngestScope()


class TokenCache:
    """Scopes of recently verified tokens by digest, each for ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float, max_entries: int = 1024) -> None:
        self.ttl_s = ttl_s
        self._max = max_entries
        self._scopes: dict[str, tuple[float, IngestScope]] = {}

    def get(self, digest: str) -> IngestScope | None:
        """Return the remembered scope of ``digest`` unless it has expired."""
        entry = self._scopes.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: str, scope: IngestScope) -> None:
        """Remember that ``digest`` verified to ``scope``."""
        if self.ttl_s <= 0:
            return
        if len(self._scopes) >= self._max:
            self._scopes.clear()
        self._scopes[digest] = (time.monotonic() + self.ttl_s, scope)


def presented_key(headers: Mapping[str, str], token_header: str) -> str:
    """Return the ingest token a request presents, or ``""``."""
    scheme, _, key = headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() in SCHEMES and key.strip():
        return key.strip()
    return headers.get(token_header, "").strip() if token_header else ""


def authenticate(
    session: Session,
    headers: Mapping[str, str],
    mode: str,
    token_header: str,
    cache: TokenCache | None = None,
) -> IngestScope:
    """Return the scope of the ingest request's credentials.

    Args:
        session: the request's session.
        headers: the request headers.
        mode: ``INGEST_AUTH``: ``token`` or ``none``.
        token_header: ``INGEST_TOKEN_HEADER``, an extra header that may carry it.
        cache: this process's recently verified tokens.

    Raises:
        MissingTokenError: no token presented, or it is unknown or revoked.
    """
    if mode == AUTH_NONE:
        return OPEN
    key = presented_key(headers, token_header)
    if not key:
        raise MissingTokenError(
            "Ingest needs an ingest token: send 'Authorization: Token <token>'"
            + (f" or '{token_header}: <token>'." if token_header else ".")
        )
    digest = tokens.digest(key)
    remembered = cache.get(digest) if cache is not None else None
    if remembered is not None:
        return remembered
    token = driver.fetch_one(session, _ACTIVE, {"digest": digest})
    if token is None:
        raise MissingTokenError("The ingest token is unknown or revoked.")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        driver.execute(session, _TOUCH, {"now": now, "id": token.id})
    scope = IngestScope(organization_id=token.organization_id, token_id=token.id)
    if cache is not None:
        cache.put(digest, scope)
    return scope
