"""``Authorization: Bearer <JWT>`` with Flask-JWT-Extended: access + refresh tokens.

Tokens carry the user id (``sub``) and the log-in they belong to (``lid``,
see :mod:`app.services.accounts.logins`); an access token also names the refresh token
it was issued with (``rjti``). A token stops verifying when its ``jti`` or its
``rjti`` is on the revocation list, when its log-in has ended (log-out by any
of the log-in's credentials, or a password change elsewhere), when the user is
gone or inactive, or when the password changed under the log-in. Every JWT
failure is rendered as a JSON:API 401 document.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    get_current_user,
    get_jwt,
    verify_jwt_in_request,
)

from flask import Flask, current_app
from flask.typing import ResponseReturnValue

from app.extensions import db, jwt
from app.jsonapi import error_object, error_response
from app.models import User
from app.models.types import utcnow
from app.services.accounts import logins, revocation

CHALLENGE = 'Bearer error="invalid_token"'
JsonObject = dict[str, Any]


@dataclass(frozen=True)
class TokenPair:
    """An access token and the refresh token that can renew it."""

    access: str
    refresh: str


def init_bearer(app: Flask) -> None:
    """Configure Flask-JWT-Extended and its callbacks."""
    access_s = app.config["JWT_ACCESS_LIFETIME_S"]
    refresh_s = app.config["JWT_REFRESH_LIFETIME_S"]
    app.config.setdefault("JWT_ACCESS_TOKEN_EXPIRES", timedelta(seconds=access_s))
    app.config.setdefault("JWT_REFRESH_TOKEN_EXPIRES", timedelta(seconds=refresh_s))
    app.config.setdefault("JWT_TOKEN_LOCATION", ["headers"])
    app.config.setdefault("JWT_HEADER_TYPE", "Bearer")
    jwt.init_app(app)
    jwt.user_lookup_loader(_lookup_user)
    jwt.token_in_blocklist_loader(_is_revoked)
    jwt.expired_token_loader(
        lambda _h, _p: _error("token_expired", "Token has expired.")
    )
    jwt.revoked_token_loader(
        lambda _h, _p: _error("token_revoked", "Token has been revoked.")
    )
    jwt.invalid_token_loader(lambda reason: _error("token_not_valid", reason))
    jwt.unauthorized_loader(lambda reason: _error("not_authenticated", reason))
    jwt.user_lookup_error_loader(
        lambda _h, _p: _error(
            "token_not_valid", "Token is no longer valid for this account."
        )
    )
    jwt.token_verification_failed_loader(
        lambda _h, _p: _error("token_not_valid", "Token claims are not valid.")
    )
    jwt.needs_fresh_token_loader(
        lambda _h, _p: _error("token_not_valid", "A fresh token is required.")
    )


def issue_pair(user: User, login_id: int) -> TokenPair:
    """Return a new access token and refresh token for ``user``'s log-in ``login_id``."""
    refresh_jti = str(uuid.uuid4())
    refresh = create_refresh_token(
        identity=str(user.id), additional_claims={"jti": refresh_jti, "lid": login_id}
    )
    return TokenPair(issue_access(user, refresh_jti, login_id), refresh)


def issue_access(user: User, refresh_jti: str, login_id: int) -> str:
    """Return a new access token tied to the refresh token ``refresh_jti``."""
    token: str = create_access_token(
        identity=str(user.id), additional_claims={"rjti": refresh_jti, "lid": login_id}
    )
    return token


def verify(refresh: bool = False, any_kind: bool = False) -> tuple[User, JsonObject]:
    """Verify the request's bearer token and return its user and claims.

    The token must be a refresh token with ``refresh``, an access token
    without it, and either with ``any_kind`` (the log-out, which ends the
    token's whole log-in whichever of its tokens is presented).

    Raises:
        flask_jwt_extended.exceptions.JWTExtendedException: the token is missing,
            malformed, expired, revoked or of the wrong kind (handled as 401).
        jwt.exceptions.PyJWTError: the token does not decode (handled as 401).
    """
    verify_jwt_in_request(
        locations=["headers"], refresh=refresh, verify_type=not any_kind
    )
    user: User = get_current_user()
    return user, dict(get_jwt())


def revoke(claims: JsonObject) -> None:
    """Revoke the token with ``claims`` and, for an access token, its refresh token."""
    session = db.session()
    user_id = int(claims["sub"])
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    revocation.revoke(session, claims["jti"], claims["type"], user_id, expires)
    refresh_jti = claims.get("rjti")
    if refresh_jti:
        lifetime = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
        revocation.revoke(session, refresh_jti, "refresh", user_id, utcnow() + lifetime)


def _lookup_user(_header: JsonObject, payload: JsonObject) -> User | None:
    subject = str(payload.get("sub", ""))
    if not subject.isdigit():
        return None
    user = db.session().get(User, int(subject))
    if user is None or not user.is_active:
        return None
    secret = current_app.config["SECRET_KEY"]
    if not logins.is_current(db.session(), payload.get("lid"), user, secret):
        return None
    return user


def _is_revoked(_header: JsonObject, payload: JsonObject) -> bool:
    session = db.session()
    return logins.has_ended(session, payload.get("lid")) or revocation.is_revoked(
        session, payload.get("jti"), payload.get("rjti")
    )


def _error(code: str, detail: str) -> ResponseReturnValue:
    obj = error_object(
        401, code, "Authentication required", detail, header="Authorization"
    )
    return error_response(401, [obj], {"WWW-Authenticate": CHALLENGE})
