"""Who may ingest: the one check of ingest tokens, run by every ingest route.

With ``INGEST_AUTH=token`` a request presents an ingest token as
``Authorization: Token <t>``, ``Authorization: Bearer <t>`` (what network servers'
webhook settings can send) or in the header named by ``INGEST_TOKEN_HEADER``. A token
of an organization may post for that organization's nodes only; a token without an
organization is deployment-wide. With ``INGEST_AUTH=none`` (an internal endpoint, as
in the Clair stack) credentials are not looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import ApiToken
from app.models.types import utcnow
from app.services import tokens
from app.services.ingest.errors import MissingTokenError

AUTH_TOKEN = "token"  # noqa: S105 - a mode name, not a secret
AUTH_NONE = "none"
SCHEMES = ("token", "bearer")
# ``last_used_at`` is a hint for people reviewing tokens; writing it on every
# sample would double the writes of single-sample ingest.
TOUCH_EVERY = timedelta(minutes=5)


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


def presented_key(headers: Mapping[str, str], token_header: str) -> str:
    """Return the ingest token a request presents, or ``""``."""
    scheme, _, key = headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() in SCHEMES and key.strip():
        return key.strip()
    return headers.get(token_header, "").strip() if token_header else ""


def authenticate(
    session: Session, headers: Mapping[str, str], mode: str, token_header: str
) -> IngestScope:
    """Return the scope of the ingest request's credentials.

    Args:
        session: the request's session.
        headers: the request headers.
        mode: ``INGEST_AUTH``: ``token`` or ``none``.
        token_header: ``INGEST_TOKEN_HEADER``, an extra header that may carry it.

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
    token = tokens.find_active(session, key, "ingest")
    if token is None:
        raise MissingTokenError("The ingest token is unknown or revoked.")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        session.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        )
    return IngestScope(organization_id=token.organization_id, token_id=token.id)
