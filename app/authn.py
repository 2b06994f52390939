"""Who is calling: resolves each request's credentials to an :class:`Actor`.

Credentials, in order: ``Authorization: Token <key>`` (Managair's API keys),
``Authorization: Bearer <JWT>`` (access tokens; views marked
:data:`takes_refresh_token` take a refresh token instead, views marked
:data:`takes_any_bearer` either) and the browser
session (Flask-Login). A request that presents credentials which do not verify
is refused with 401 even on public endpoints, as Managair does. Ingest routes
(``/ingest/``) authenticate with ingest tokens of their own and are skipped here.

CSRF (the ``csrftoken`` cookie echoed in ``X-CSRFToken``): unsafe requests to the
HTML account pages always need it; unsafe API requests need it when the browser
session authenticates them, except on views marked :data:`csrf_exempt` (the
log-in), as Django REST framework's ``SessionAuthentication`` does.

This module also starts and ends log-ins (:mod:`app.services.accounts.logins`): the
browser session, API key and bearer pair one log-in issues name it, so they
end together. Everything about credentials stays in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, request
from flask.typing import ResponseReturnValue

from app.errors import ThrottledError, UnauthenticatedError
from app.extensions import db
from app.jsonapi import error_object, error_response
from app.models import User
from app.security import bearer, csrf, sessions
from app.security.views import (
    CSRF_EXEMPT,
    TAKES_ANY_BEARER,
    TAKES_REFRESH_TOKEN,
    current_view_has,
    flag,
)
from app.services.access import ANONYMOUS, Actor, actor_for
from app.services.accounts import holders, logins, tokens

SKIPPED_PREFIXES = ("/ingest/", "/healthz", "/readyz", "/static/", "/metrics")
HTML_PREFIX = "/accounts/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_STATE = (
    "_login_user",
    "_flask_babel",
    "csrf_valid",
    "user_locale",
    "_jwt_extended_jwt",
    "_jwt_extended_jwt_header",
    "_jwt_extended_jwt_user",
    "_jwt_extended_jwt_location",
    *csrf.REQUEST_STATE,
)

#: Decorator: an unsafe API view that session-authenticated browsers may call
#: without a CSRF token (the log-in, as in the reference).
csrf_exempt = flag(CSRF_EXEMPT)
#: Decorator: the view's ``Authorization: Bearer`` is a refresh token.
takes_refresh_token = flag(TAKES_REFRESH_TOKEN)
#: Decorator: the view's ``Authorization: Bearer`` is an access or a refresh
#: token (the log-out: any of a log-in's credentials ends it).
takes_any_bearer = flag(TAKES_ANY_BEARER)


@dataclass(frozen=True)
class Credentials:
    """How the current request authenticated.

    Attributes:
        method: ``"token"``, ``"bearer"``, ``"session"`` or ``""`` (anonymous).
        user_id: the authenticated user.
        token_id: the API key's row (``"token"``).
        claims: the JWT's claims (``"bearer"``).
        login_id: the log-in the credential belongs to (None: an API key that
            belongs to no log-in).
    """

    method: str = ""
    user_id: int | None = None
    token_id: int | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)
    login_id: int | None = None


@dataclass(frozen=True)
class ApiCredentials:
    """What an API log-in hands out; the secrets exist only in this object."""

    key: str
    access_token: str
    refresh_token: str


NO_CREDENTIALS = Credentials()


def init_authn(app: Flask) -> None:
    """Set up sessions, CSRF and bearer tokens; resolve the actor before every request."""
    sessions.init_sessions(app)
    csrf.init_csrf(app)
    bearer.init_bearer(app)
    app.before_request(identify)
    app.register_error_handler(ThrottledError, _throttled)


def identify() -> None:
    """Set ``g.actor`` and ``g.credentials`` from the request's credentials.

    Raises:
        UnauthenticatedError: credentials were presented but do not verify.
        flask_wtf.csrf.CSRFError: an unsafe request lacks its CSRF token.
    """
    _forget_previous_request()
    g.actor = ANONYMOUS
    g.credentials = NO_CREDENTIALS
    if request.path.startswith(SKIPPED_PREFIXES):
        return
    header = request.headers.get("Authorization", "").strip()
    user: User | None
    actor: Actor | None  # read with the credentials, or after the CSRF check
    if header:
        user, credentials, actor = _from_header(header)
    else:
        user, actor = sessions.current_user(), sessions.current_actor()
        credentials = (
            Credentials("session", user.id, login_id=sessions.current_login_id())
            if user
            else NO_CREDENTIALS
        )
    if user is not None:
        g.user_locale = user.locale
    _check_csrf(by_session=credentials.method == "session")
    if user is not None:
        g.actor = actor if actor is not None else actor_for(db.session(), user)
        g.credentials = credentials


def current_actor() -> Actor:
    """Return the actor of the current request (anonymous outside requests)."""
    actor: Actor = g.get("actor", ANONYMOUS)
    return actor


def current_credentials() -> Credentials:
    """Return how the current request authenticated."""
    credentials: Credentials = g.get("credentials", NO_CREDENTIALS)
    return credentials


def start_session(user: User) -> int:
    """Start a log-in of ``user`` with a new browser session (flushes).

    The response sets ``csrftoken``. Returns the log-in's id, for the API
    credentials that belong to it.
    """
    login = logins.start(db.session(), user, current_app.config["SECRET_KEY"])
    sessions.start(user, login.id)
    csrf.new_token()
    return login.id


def end_other_logins(user: User) -> None:
    """End every log-in of ``user`` but the caller's, after a password change.

    The caller's log-in (all its credentials) takes the new password and stays
    valid; every other session, bearer token and API key stops working (flushes).
    """
    session, login_id = db.session(), current_credentials().login_id
    logins.end_all(session, user.id, keep=login_id)
    logins.renew(session, login_id, user, current_app.config["SECRET_KEY"])


def issue_api_credentials(user: User, login_id: int) -> ApiCredentials:
    """Create an API key and a JWT pair for the log-in ``login_id`` (flushes).

    The user's live API keys are capped at ``API_KEYS_PER_USER``: the log-ins
    of the oldest keys beyond it end.
    """
    session = db.session()
    issued = tokens.issue_user_key(session, user, login_id=login_id)
    logins.cap_api_keys(session, user.id, current_app.config["API_KEYS_PER_USER"])
    pair = bearer.issue_pair(user, login_id)
    return ApiCredentials(issued.key, pair.access, pair.refresh)


def issue_access_token(user: User) -> str:
    """Return a new access token for the refresh token the request presented.

    Raises:
        UnauthenticatedError: the request did not present a refresh token.
    """
    claims = current_credentials().claims
    if claims.get("type") != "refresh":
        raise UnauthenticatedError(
            "Send the refresh token as 'Authorization: Bearer <refresh token>'."
        )
    return bearer.issue_access(user, str(claims["jti"]), int(claims["lid"]))


def log_out(everywhere: bool = False) -> None:
    """End the caller's log-in, or all of the user's, and the browser session (flushes).

    The log-in ends whichever of its credentials the request presented (its
    session, API key, access or refresh token): its session, API key and
    bearer pair all stop working. With ``everywhere``,
    every log-in and API key of the user ends. A key that belongs to no
    log-in is revoked on its own.
    """
    credentials = current_credentials()
    session = db.session()
    if credentials.user_id is not None and everywhere:
        logins.end_all(session, credentials.user_id)
    elif credentials.login_id is not None:
        logins.end(session, credentials.login_id)
    elif credentials.token_id is not None:
        tokens.revoke(session, credentials.token_id)
    if credentials.method == "bearer":
        bearer.revoke(dict(credentials.claims))
    sessions.end()
    csrf.drop_cookie()


def _forget_previous_request() -> None:
    """Drop what the libraries cached in ``g`` for an earlier request.

    ``g`` lives as long as the application context, and requests share one
    when it was pushed around them (the test suite does): Flask-Login, Flask-WTF
    and Flask-JWT-Extended would otherwise see the previous request's user and
    tokens.
    """
    for name in REQUEST_STATE:
        g.pop(name, None)


def _from_header(header: str) -> tuple[User, Credentials, Actor | None]:
    """The user, credentials and (API keys) actor of an ``Authorization`` header."""
    scheme, _, value = header.partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "token":
        secret = current_app.config["SECRET_KEY"]
        holder = holders.key_holder(db.session(), value, secret)
        if holder is None:
            raise UnauthenticatedError("Invalid token.", header="Authorization")
        token, user = holder.token, holder.user
        credentials = Credentials(
            "token", user.id, token_id=token.id, login_id=token.login_id
        )
        return user, credentials, holder.actor
    if scheme == "bearer":
        user, claims = bearer.verify(
            refresh=current_view_has(TAKES_REFRESH_TOKEN),
            any_kind=current_view_has(TAKES_ANY_BEARER),
        )
        credentials = Credentials(
            "bearer", user.id, claims=claims, login_id=claims.get("lid")
        )
        return user, credentials, None
    raise UnauthenticatedError(
        f"Unsupported authorization scheme {scheme!r}; "
        "use 'Token <key>' or 'Bearer <access token>'.",
        header="Authorization",
    )


def _check_csrf(by_session: bool) -> None:
    if request.method not in UNSAFE_METHODS or request.url_rule is None:
        return
    if request.path.startswith(HTML_PREFIX) or (
        by_session and not current_view_has(CSRF_EXEMPT)
    ):
        csrf.protect()


def _throttled(error: ThrottledError) -> ResponseReturnValue:
    obj = error_object(429, error.code, error.title, error.detail, error.pointer)
    return error_response(429, [obj], {"Retry-After": str(error.retry_after_s)})
