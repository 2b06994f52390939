"""Django-style CSRF for browsers: a readable ``csrftoken`` cookie echoed in a header.

Flask-WTF's CSRF machinery does the cryptography, so none is hand-written: the
session holds a random secret, and the ``csrftoken`` cookie (like every form's
hidden ``csrfmiddlewaretoken`` field) holds that secret signed with
``SECRET_KEY``. :func:`protect` checks the form field or the ``X-CSRFToken``
header against the session. Tokens live as long as the session
(``WTF_CSRF_TIME_LIMIT = None``); a log-in starts a new secret.

Flask-WTF's own global check is off: :mod:`app.authn` decides which requests
need the token (HTML forms always, API calls only when the browser session
authenticates them).
"""

from __future__ import annotations

from flask_wtf.csrf import CSRFError, generate_csrf

from flask import Flask, current_app, g, render_template, request, session
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.extensions import csrf
from app.jsonapi import error_object, error_response

CSRF_COOKIE = "csrftoken"
FIELD_NAME = "csrfmiddlewaretoken"
HEADERS = ("X-CSRFToken", "X-CSRF-Token")
HTML_PREFIX = "/accounts/"
ADMIN_PREFIX = "/admin/"
_DROP = "_airq_drop_csrf_cookie"
REQUEST_STATE = (FIELD_NAME, _DROP)


def init_csrf(app: Flask) -> None:
    """Configure Flask-WTF's CSRF protection, its error page and the cookie."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_FIELD_NAME", FIELD_NAME)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_HEADERS", list(HEADERS))
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.after_request(_sync_cookie)


def protect() -> None:
    """Check the request's CSRF token.

    Raises:
        CSRFError: the token is missing or does not match the session.
    """
    csrf.protect()


def new_token() -> str:
    """Start a new CSRF secret in the session (at log-in); return its signed token."""
    session.pop(FIELD_NAME, None)
    g.pop(FIELD_NAME, None)
    return str(generate_csrf())


def drop_cookie() -> None:
    """Delete the ``csrftoken`` cookie with this response (log-out)."""
    g.setdefault(_DROP, True)


def _sync_cookie(response: Response) -> Response:
    if g.get(_DROP):
        response.delete_cookie(CSRF_COOKIE, path="/")
    elif FIELD_NAME in g:
        response.set_cookie(
            CSRF_COOKIE,
            str(g.get(FIELD_NAME)),
            max_age=current_app.config["SESSION_LIFETIME_S"],
            path="/",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=False,
            samesite="Lax",
        )
    return response


def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
    reason = str(error.description)
    if request.path.startswith((HTML_PREFIX, ADMIN_PREFIX)):
        return render_template("account/csrf_failure.html", reason=reason), 403
    detail = f"CSRF Failed: {reason}"
    obj = error_object(
        403, "permission_denied", "Permission denied", detail, header=HEADERS[0]
    )
    return error_response(403, [obj])
