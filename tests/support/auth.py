"""Credentials for API tests: ``Authorization: Token <key>`` headers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import User
from app.services.tokens import issue_user_key

#: The headers of an anonymous request.
ANONYMOUS: dict[str, str] = {}


def auth_headers(session: Session, user: User | None) -> dict[str, str]:
    """Return headers that authenticate as ``user`` with a fresh API key (none for None)."""
    if user is None:
        return dict(ANONYMOUS)
    key = issue_user_key(session, user, name="test").key
    return {"Authorization": f"Token {key}"}
