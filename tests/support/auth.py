"""Credentials for API tests: ``Authorization: Token <key>`` headers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import User
from app.services.accounts.tokens import issue_user_key

#: The headers of an anonymous request.
ANONYMOUS: dict[str, str] = {}


def auth_headers(session: Session, user: User | None) -> dict[str, str]:
    """Return headers that authenticate as ``user`` with a fresh API key (none for None).

    Commits the test's session: inside the test's outer transaction that only
    releases a savepoint, and it keeps the key and the data made so far when a
    request fails and rolls its own work back.
    """
    if user is not None:
        key = issue_user_key(session, user, name="test").key
    session.commit()
    return dict(ANONYMOUS) if user is None else {"Authorization": f"Token {key}"}
