"""Ingest errors that point at a request header rather than at the body."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import DomainError, UnauthenticatedError


@dataclass
class MissingTokenError(UnauthenticatedError):
    """No valid ingest token (401, ``source.header``)."""

    header: str | None = "Authorization"


@dataclass
class BodyTooLargeError(DomainError):
    """The request body exceeds ``INGEST_MAX_BODY_BYTES`` (413)."""

    header: str | None = "Content-Length"

    status, code, title = 413, "too_large", "Request entity too large"


@dataclass
class UnsupportedBodyError(DomainError):
    """The body's media type or content coding is not accepted (415)."""

    header: str | None = "Content-Type"

    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


@dataclass
class BadBodyError(DomainError):
    """The body cannot be read as its declared format or coding (400)."""

    header: str | None = None

    status, code, title = 400, "invalid", "Invalid request"


@dataclass
class BatchAbandonedError(DomainError):
    """Too many records of a batch were rejected: nothing is stored (400)."""

    status, code, title = 400, "too_many_rejected", "Invalid request"
