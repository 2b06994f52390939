"""The Flask class of the app: Flask without two per-request costs it does not need.

Every request runs a dozen hooks (request id, metrics, CSRF, authentication,
security headers, ...). Flask asks ``inspect.iscoroutinefunction`` about each of
them on every request, and its cookie session builds a signing serializer even
when the request carries no session cookie (every API and ingest client). Under
the single-sample ingest load both showed up in profiles; here they are paid once
per function and only for requests with cookies. Behaviour is Flask's.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionMixin,
)

_REMEMBERED = 4096  # functions, not requests: hooks, views, error handlers


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, skipping the signing work for cookie-less requests."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Return an empty session when no session cookie came, else Flask's."""
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        """Do nothing for a session that is empty and was not emptied, as Flask."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class Application(Flask):
    """The app's Flask class (see the module docstring)."""

    session_interface = CookieSessions()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._coroutine: dict[Callable[..., Any], bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's ``ensure_sync``, remembering per function whether it is async."""
        plain = getattr(func, "__func__", func)  # bound methods: their function
        is_async = self._coroutine.get(plain)
        if is_async is None:
            is_async = iscoroutinefunction(func)
            if len(self._coroutine) < _REMEMBERED:
                self._coroutine[plain] = is_async
        return self.async_to_sync(func) if is_async else func
