"""Who is calling: resolves each request's credentials to an :class:`Actor`.

Credentials, in order: ``Authorization: Token <key>`` (Managair's API keys),
``Authorization: Bearer <JWT>`` and the browser session. A request that presents
credentials which do not verify is refused with 401 even on public endpoints, as
Managair does. Ingest routes (``/ingest/``) authenticate with ingest tokens of
their own and are skipped here.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, g, request

from app.errors import UnauthenticatedError
from app.extensions import db
from app.models import User
from app.services import tokens
from app.services.access import ANONYMOUS, Actor, actor_for

SKIPPED_PREFIXES = ("/ingest/", "/healthz", "/readyz", "/static/", "/metrics")

# scheme (lower case) -> function from the credentials to a user, None when invalid
Authenticator = Callable[[str], User | None]
AUTHENTICATORS: dict[str, Authenticator] = {
    "token": lambda key: tokens.user_for_key(db.session(), key),
}


def init_authn(app: Flask) -> None:
    """Resolve the actor before every request."""
    app.before_request(identify)


def identify() -> None:
    """Set ``g.actor`` from the request's credentials.

    Raises:
        UnauthenticatedError: credentials were presented but do not verify.
    """
    g.actor = ANONYMOUS
    if request.path.startswith(SKIPPED_PREFIXES):
        return
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return
    scheme, _, credentials = header.partition(" ")
    authenticate = AUTHENTICATORS.get(scheme.lower())
    if authenticate is None:
        raise UnauthenticatedError(
            f"Unsupported authorization scheme {scheme!r}; use 'Token <key>'."
        )
    user = authenticate(credentials.strip())
    if user is None:
        raise UnauthenticatedError("Invalid token.")
    g.actor = actor_for(db.session(), user)


def current_actor() -> Actor:
    """Return the actor of the current request (anonymous outside requests)."""
    actor: Actor = g.get("actor", ANONYMOUS)
    return actor
