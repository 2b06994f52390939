"""Error handlers: domain errors, database errors and the last-resort 500.

Wiring (in ``create_app``)::

    api = JsonApi(app)          # vnd.api+json responses, HTTPException handler
    register_error_handlers(app, html_prefixes=("/accounts/", "/admin/"))

* :class:`app.errors.DomainError` renders each of its details as an error
  object (an error with a ``header`` attribute names that request header in
  ``source.header``, one with ``parameter`` the query parameter); 401s carry
  ``WWW-Authenticate: Token`` (as the reference's did), 503s ``Retry-After``;
* ``IntegrityError``: see :mod:`app.jsonapi.integrity` (409 or 400; the
  violated constraint's name goes to the log, not to the client);
  ``DataError`` (a value the column cannot hold) is a 400; a database that is
  down (``OperationalError``, ``InterfaceError``, pool timeout) is a 503 with
  ``Retry-After: 5``. The session is rolled back first in all these cases;
* anything else is a 500 with a generic detail; the traceback goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Protocol, runtime_checkable

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from sqlalchemy import exc as sa_exc

from app.errors import DomainError
from app.jsonapi.errors import (
    GENERIC_500,
    JsonObject,
    error_object,
    error_response,
    http_exception_response,
    set_html_prefixes,
)
from app.jsonapi.integrity import classify_integrity_error

logger = logging.getLogger(__name__)

RETRY_AFTER_S = "5"

_SESSION = "jsonapi.session"


@runtime_checkable
class Rollbackable(Protocol):
    """Anything with ``rollback()``: a ``Session`` or a ``scoped_session``."""

    def rollback(self) -> None:
        """Roll back the current transaction."""


SessionSource = Rollbackable | Callable[[], Rollbackable]


def _flask_sqlalchemy_session() -> Rollbackable | None:
    session = getattr(current_app.extensions.get("sqlalchemy"), "session", None)
    return session if isinstance(session, Rollbackable) else None


def register_error_handlers(
    app: Flask,
    *,
    session: SessionSource | None = None,
    html_prefixes: Collection[str] = (),
) -> None:
    """Register the JSON:API error handlers on ``app``.

    Args:
        app: the application.
        session: what to roll back after a database error: a session, a
            ``scoped_session`` or a callable returning one. By default the
            Flask-SQLAlchemy session found in ``app.extensions["sqlalchemy"]``
            at the time of the error (so tests may swap it).
        html_prefixes: path prefixes that get HTML error pages (``/admin/``).
    """
    getter: Callable[[], Rollbackable | None]
    if session is None:
        getter = _flask_sqlalchemy_session
    elif isinstance(session, Rollbackable):
        getter = lambda: session  # noqa: E731
    else:
        getter = session
    app.extensions[_SESSION] = getter
    set_html_prefixes(app, html_prefixes)
    app.register_error_handler(HTTPException, http_exception_response)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(sa_exc.IntegrityError, _integrity_error)
    app.register_error_handler(sa_exc.DataError, _data_error)
    for unavailable in (
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        sa_exc.TimeoutError,
    ):
        app.register_error_handler(unavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected)


def domain_error_objects(error: DomainError) -> list[JsonObject]:
    """The JSON:API error objects of a service's refusal, one per problem."""
    parameter = getattr(error, "parameter", None) if error.detail else None
    header = error.header if error.detail else None
    return [
        error_object(
            error.status,
            item.code or error.code,
            error.title,
            item.detail,
            item.pointer,
            parameter if index == 0 else None,
            header=header if index == 0 else None,
        )
        for index, item in enumerate(error.details())
    ]


def _domain_error(error: DomainError) -> ResponseReturnValue:
    errors = domain_error_objects(error)
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Token"
    if error.status == 503:
        headers["Retry-After"] = RETRY_AFTER_S
    return error_response(error.status, errors, headers)


def _integrity_error(error: sa_exc.IntegrityError) -> ResponseReturnValue:
    _rollback()
    problem = classify_integrity_error(error.orig, request.method)
    # The constraint's name is for the operator: clients tell problems apart by
    # ``code``, and the name would only show them the schema.
    logger.info(
        "Database refused a write: %s (constraint %s)",
        problem.code,
        problem.constraint or "unknown",
    )
    obj = error_object(problem.status, problem.code, problem.title, problem.detail)
    return error_response(problem.status, [obj])


def _data_error(error: sa_exc.DataError) -> ResponseReturnValue:
    _rollback()
    logger.info("Database rejected a value: %s", type(error.orig).__name__)
    detail = "A value in the request is malformed or out of range."
    return error_response(
        400, [error_object(400, "invalid", "Invalid request", detail)]
    )


def _unavailable(error: Exception) -> ResponseReturnValue:
    _rollback()
    logger.error("Database unavailable: %s", type(error).__name__, exc_info=error)
    detail = "The database is unavailable. Please retry shortly."
    obj = error_object(503, "unavailable", "Service unavailable", detail)
    return error_response(503, [obj], {"Retry-After": RETRY_AFTER_S})


def _unexpected(error: Exception) -> ResponseReturnValue:
    _rollback()
    logger.exception("Unhandled exception", exc_info=error)
    obj = error_object(500, "server_error", "Internal server error", GENERIC_500)
    return error_response(500, [obj])


def _rollback() -> None:
    try:
        getter = current_app.extensions.get(_SESSION, _flask_sqlalchemy_session)
        session = getter()
        if session is not None:
            session.rollback()
    except Exception:
        logger.warning("Rollback after a database error failed", exc_info=True)
