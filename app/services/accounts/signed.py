"""Signed, expiring tokens for links in mail (itsdangerous)."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer


def sign(secret: str, salt: str, payload: Any) -> str:
    """Return ``payload`` (JSON-serializable) signed with ``secret`` for ``salt``."""
    token: str = URLSafeTimedSerializer(secret, salt=salt).dumps(payload)
    return token


def unsign(secret: str, salt: str, token: str, max_age_s: int) -> Any | None:
    """Return the payload of ``token``, or None if it is forged, malformed or expired."""
    try:
        return URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age_s)
    except BadData:
        return None
