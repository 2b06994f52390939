"""Browser sessions with Flask-Login, revocable at log-out.

The session cookie is Flask's signed cookie, permanent for ``SESSION_LIFETIME_S``
(its signature carries the time, so an old copied cookie stops verifying). Each
session has a random id, put on the revocation list at log-out, and names its
log-in (:mod:`app.services.accounts.logins`): it ends when the log-in ends, by log-out
through any of the log-in's credentials or by a password change elsewhere.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import flask_login
from flask_babel import lazy_gettext

from flask import Flask, current_app, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from app.extensions import db, login_manager
from app.models import User
from app.models.types import utcnow
from app.services.access import Actor
from app.services.accounts import holders, revocation

SESSION_ID = "_sid"
LOGIN_ID = "_lid"
_NO_COOKIE = "airq.session_cookie_left_alone"  # a key of the request's environ


class _SessionSerializer(TaggedJSONSerializer):
    """Flask's session serializer, reading with the standard library's JSON parser.

    Flask's reads through ``app.json``, which here is the request bodies' guarded
    parser: it refuses NUL, so a NUL that reached a session (a flashed message
    quoting the request) made every later request of that browser a 500. The
    cookie is ours (its signature is checked first), so it needs no guard.
    """

    def loads(self, value: str) -> Any:
        """Load the session's data and untag its tagged values."""
        return self._untag_scan(json.loads(value))


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, except on the pages that called :func:`leave_cookie_alone`."""

    serializer = _SessionSerializer()

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Refresh the cookie as Flask does, unless the page said not to."""
        return _NO_COOKIE not in request.environ and super().should_set_cookie(
            app, session
        )


def leave_cookie_alone() -> None:
    """Send no session cookie with this response.

    For pages framed on other sites (the dashboard's embeds): such a response
    may be kept by a browser cache that is not the viewer's own page, and it
    needs nothing of the session but the viewer's language.
    """
    request.environ[_NO_COOKIE] = True


@dataclass(frozen=True)
class SessionUser:
    """What Flask-Login keeps for a logged-in browser: the user row, and the actor
    read with it (None in the request that logs in)."""

    user: User
    actor: Actor | None = None
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Return the id Flask-Login stores in the session: the user's."""
        return str(self.user.id)


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
    app.session_interface = _SessionCookies()
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"


def current_user() -> User | None:
    """Return the user of the browser session, if it is logged in and valid."""
    user: User | None = getattr(flask_login.current_user, "user", None)
    return user


def current_actor() -> Actor | None:
    """Return the actor of the browser session's user, read with the user (None
    when no one is logged in, or the log-in happened in this request)."""
    actor: Actor | None = getattr(flask_login.current_user, "actor", None)
    return actor


def current_login_id() -> int | None:
    """Return the log-in the browser session belongs to, if it names one."""
    login_id = session.get(LOGIN_ID)
    return login_id if isinstance(login_id, int) else None


def start(user: User, login_id: int) -> None:
    """Log ``user`` in: a fresh session with a new id (and a new CSRF secret)."""
    session.clear()
    session.permanent = True
    session[SESSION_ID] = secrets.token_urlsafe(24)
    session[LOGIN_ID] = login_id
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


def _load(raw_id: str) -> SessionUser | None:
    sid = session.get(SESSION_ID)
    if not raw_id.isdigit() or not isinstance(sid, str):
        return None
    secret = current_app.config["SECRET_KEY"]
    holder = holders.session_holder(
        db.session(), int(raw_id), session.get(LOGIN_ID), sid, secret
    )
    return None if holder is None else SessionUser(holder.user, holder.actor)
