"""Browser sessions with Flask-Login, revocable at log-out.

The session cookie is Flask's signed cookie, permanent for ``SESSION_LIFETIME_S``
(its signature carries the time, so an old copied cookie stops verifying). Each
session has a random id, put on the revocation list at log-out, and the user's
password fingerprint, so a password change ends every other session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from hmac import compare_digest

import flask_login
from flask_babel import lazy_gettext

from flask import Flask, current_app, session

from app.extensions import db, login_manager
from app.models import User
from app.models.types import utcnow
from app.services import revocation
from app.services.passwords import fingerprint

SESSION_ID = "_sid"


@dataclass(frozen=True)
class SessionUser:
    """What Flask-Login keeps for a logged-in browser: the user row."""

    user: User
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Return the id stored in the session: user id and password fingerprint."""
        return f"{self.user.id}:{_fingerprint(self.user)}"


def init_sessions(app: Flask) -> None:
    """Configure the session cookie and Flask-Login."""
    lifetime = timedelta(seconds=app.config["SESSION_LIFETIME_S"])
    for key, value in (
        ("SESSION_COOKIE_NAME", "sessionid"),
        ("SESSION_COOKIE_HTTPONLY", True),
        ("SESSION_COOKIE_SAMESITE", "Lax"),
        ("PERMANENT_SESSION_LIFETIME", lifetime),
    ):
        if app.config.get(key) == app.default_config.get(key):  # not overridden
            app.config[key] = value
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"


def current_user() -> User | None:
    """Return the user of the browser session, if it is logged in and valid."""
    user: User | None = getattr(flask_login.current_user, "user", None)
    return user


def start(user: User) -> None:
    """Log ``user`` in: a fresh session with a new id (and a new CSRF secret)."""
    session.clear()
    session.permanent = True
    session[SESSION_ID] = secrets.token_urlsafe(24)
    flask_login.login_user(SessionUser(user), fresh=True)


def renew(user: User) -> None:
    """Keep this session valid after ``user``'s password changed."""
    flask_login.login_user(SessionUser(user), fresh=True)


def end() -> None:
    """Log the session out and put its id on the revocation list (flushes only)."""
    sid = session.get(SESSION_ID)
    user = current_user()
    if sid:
        expires = utcnow() + timedelta(seconds=current_app.config["SESSION_LIFETIME_S"])
        revocation.revoke(
            db.session(), sid, "session", user.id if user else None, expires
        )
    flask_login.logout_user()
    session.clear()


def _fingerprint(user: User) -> str:
    return fingerprint(user.id, user.password_hash, current_app.config["SECRET_KEY"])


def _load(auth_id: str) -> SessionUser | None:
    raw_id, _, print_ = auth_id.partition(":")
    sid = session.get(SESSION_ID)
    if not raw_id.isdigit() or not isinstance(sid, str):
        return None
    s = db.session()
    if revocation.is_revoked(s, sid):
        return None
    user = s.get(User, int(raw_id))
    if user is None or not user.is_active:
        return None
    if not compare_digest(print_, _fingerprint(user)):
        return None
    return SessionUser(user)
