"""Domain errors raised by services and mapped to JSON:API errors in one place.

Services raise these; ``app.jsonapi.errors`` turns them into
``{"errors": [...]}`` documents with the status, code and source given here.
Titles are translated when rendered (the request's language); services pass
details through ``flask_babel.gettext`` with named placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString, gettext

from flask import current_app, has_app_context


def _translated(text: str) -> str:
    if has_app_context() and "babel" in current_app.extensions:
        return str(gettext(text))
    return text  # an app without Flask-Babel (the JSON:API package's own tests)


def _l(text: str) -> Any:
    """Mark a title for translation; it is translated when rendered."""
    return LazyString(_translated, text)


@dataclass
class ErrorDetail:
    """One problem inside a domain error (one JSON:API error object)."""

    detail: str
    pointer: str | None = None
    code: str | None = None


@dataclass
class DomainError(Exception):
    """Base of all errors a service may raise; 400 unless a subclass says otherwise.

    Args:
        detail: human-readable explanation that says what to do.
        pointer: JSON pointer into the request document (``/data/attributes/name``).
        errors: further problems to report in the same response.
        header: the request header at fault (``source.header``), e.g. the
            ``Authorization`` of a 401, so that the client knows what to fix.
    """

    detail: str = "The request is invalid."
    pointer: str | None = None
    errors: list[ErrorDetail] = field(default_factory=list)
    header: str | None = None

    status = 400
    code = "invalid"
    title = _l("Invalid request")

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    def details(self) -> list[ErrorDetail]:
        """Return every problem of this error, the main one first."""
        main = ErrorDetail(self.detail, self.pointer, self.code)
        return [main, *self.errors] if self.detail else list(self.errors)


class ValidationError(DomainError):
    """The request is well-formed but a value is not acceptable."""


class UnauthenticatedError(DomainError):
    """No or invalid credentials."""

    status, code, title = 401, "not_authenticated", _l("Authentication required")


class ForbiddenError(DomainError):
    """The actor sees the object but may not do this to it."""

    status, code, title = 403, "permission_denied", _l("Permission denied")


class NotFoundError(DomainError):
    """The object does not exist or the actor may not see it."""

    status, code, title = 404, "not_found", _l("Not found")


class ConflictError(DomainError):
    """The request conflicts with stored state (duplicates, references)."""

    status, code, title = 409, "conflict", _l("Conflict")


class UnavailableError(DomainError):
    """A dependency (the database) is down; the client should retry later."""

    status, code, title = 503, "unavailable", _l("Service unavailable")


@dataclass
class ThrottledError(DomainError):
    """Too many attempts (failed log-ins); the client may retry after a while.

    Args:
        retry_after_s: seconds until the next attempt is allowed (``Retry-After``).
    """

    retry_after_s: int = 60

    status, code, title = 429, "throttled", _l("Too many requests")
