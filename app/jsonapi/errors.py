"""JSON:API error documents ``{"errors": [...]}`` and the ``JsonApi`` extension.

* webargs validation errors (422) become 400s, one error object per message,
  with ``source.pointer`` for body fields (``/data/attributes/name``),
  ``source.parameter`` for the query string and ``source.header`` for headers;
* every other werkzeug ``HTTPException`` (``abort()``, unknown URL, 405, 406,
  413, 415) keeps its status and headers (``Allow`` on 405, ``WWW-Authenticate``,
  ``Retry-After``); a 406 names ``Accept`` and a 415 ``Content-Type`` in
  ``source.header``; a 500 never shows more than a generic detail.

Domain, database and unexpected errors are handled in :mod:`app.jsonapi.handlers`.
Paths under the HTML prefixes given to :func:`set_html_prefixes` get werkzeug's
HTML error pages instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

import flask_smorest
from flask import Flask, current_app, has_request_context, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions
from werkzeug.sansio.response import Response as SansIOResponse

from app.jsonapi import openapi
from app.jsonapi.exceptions import json_pointer
from app.jsonapi.fields import decimal_property, flatten_messages
from app.jsonapi.media import JSONAPI_MEDIA_TYPE, install_json_provider
from app.jsonapi.schemas import ErrorDocumentSchema

JsonObject = dict[str, Any]

GENERIC_500 = "An unexpected error occurred. It has been logged."

_HTML_PREFIXES = "jsonapi.html_prefixes"
_CODES = {
    401: "not_authenticated",
    403: "permission_denied",
    429: "throttled",
    500: "server_error",
}
_BODY = frozenset({"json", "form", "files", "json_or_form"})
_QUERY = frozenset({"query", "querystring"})
_HEADERS = frozenset({"headers"})
_SOURCELESS = frozenset({"view_args", "path", "cookies", ""})
_SKIPPED_HEADERS = frozenset({"content-type", "content-length"})
#: The request header a status is about (``source.header``).
_HEADER_OF_STATUS = {406: "Accept", 415: "Content-Type"}


def error_object(
    status: int,
    code: str,
    title: str,
    detail: str,
    pointer: str | None = None,
    parameter: str | None = None,
    *,
    header: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> JsonObject:
    """Build one JSON:API error object.

    Args:
        status: the HTTP status (rendered as a string).
        code: machine-readable code, e.g. ``"not_found"``.
        title: short summary, the same for every occurrence of the problem.
        detail: what went wrong this time and what to do.
        pointer: JSON pointer into the request document.
        parameter: the query parameter that caused the error.
        header: the request header that caused the error.
        meta: extra non-standard information.

    Returns:
        ``{"status", "code", "title", "detail", "source"?, "meta"?}``.
    """
    obj: JsonObject = {
        "status": str(status),
        "code": code,
        "title": str(title),  # lazily translated titles render here
        "detail": str(detail),
    }
    source = {
        key: value
        for key, value in (
            ("pointer", pointer),
            ("parameter", parameter),
            ("header", header),
        )
        if value is not None
    }
    if source:
        obj["source"] = source
    if meta:
        obj["meta"] = dict(meta)
    return obj


def validation_errors(
    messages: Mapping[str, Any], status: int = 400, title: str = "Invalid request"
) -> list[JsonObject]:
    """Turn webargs messages keyed by location into error objects.

    Args:
        messages: ``{location: marshmallow messages}``; a first key that is no
            webargs location is taken as part of a body pointer.
        status: the HTTP status of every error.
        title: the title of every error.

    Returns:
        One error object per message, with the matching ``source``.
    """
    errors = []
    for path, message in flatten_messages(messages):
        location, rest = (path[0], path[1:]) if path else ("", ())
        first = rest[0] if rest else None
        pointer = parameter = header = None
        if location in _BODY:
            pointer = json_pointer(*rest) if rest else None
        elif location in _QUERY:
            parameter = first
        elif location in _HEADERS:
            header = first
        elif location not in _SOURCELESS:
            pointer = json_pointer(*path)
        errors.append(
            error_object(
                status, "invalid", title, message, pointer, parameter, header=header
            )
        )
    return errors


def http_exception_response(error: HTTPException) -> ResponseReturnValue:
    """Render a werkzeug ``HTTPException`` (or a webargs ``abort``) as JSON:API.

    Args:
        error: the exception; ``error.data`` may hold webargs' ``messages``,
            a ``message`` and extra ``headers``.

    Returns:
        The error response; werkzeug's HTML page on an HTML path.
    """
    if _is_html_path() or error.code is None:
        return error.get_response()
    data = getattr(error, "data", None) or {}
    headers = Headers(
        [(k, v) for k, v in error.get_headers() if k.lower() not in _SKIPPED_HEADERS]
    )
    headers.update(data.get("headers") or {})
    messages = data.get("messages") or data.get("errors")
    is_validation = error.code == 422 or bool(messages)
    status = 400 if error.code == 422 else error.code
    title = "Invalid request" if is_validation and status == 400 else error.name
    if messages and not isinstance(messages, str):
        keyed = messages if isinstance(messages, Mapping) else {"": messages}
        return error_response(status, validation_errors(keyed, status, title), headers)
    if status == 500:
        detail = GENERIC_500
    else:
        detail = str(data.get("message") or messages or error.description)
    code = "invalid" if is_validation else _CODES.get(status) or _slug(error.name)
    obj = error_object(
        status, code, title, detail, header=_HEADER_OF_STATUS.get(status)
    )
    return error_response(status, [obj], headers)


def error_response(
    status: int,
    errors: list[JsonObject],
    headers: Headers | Mapping[str, str] | None = None,
) -> ResponseReturnValue:
    """Return ``{"errors": errors}`` as ``application/vnd.api+json``.

    Args:
        status: the HTTP status.
        errors: the error objects.
        headers: extra response headers.

    Returns:
        The response; werkzeug's HTML error page on an HTML path.
    """
    response: SansIOResponse
    if _is_html_path():
        exc_class = default_exceptions.get(status, InternalServerError)
        response = exc_class().get_response()
        response.headers.update(headers or {})
        return response
    return json_error_document(status, errors, headers)


def json_error_document(
    status: int,
    errors: list[JsonObject],
    headers: Headers | Mapping[str, str] | None = None,
) -> SansIOResponse:
    """Return ``{"errors": errors}`` as ``application/vnd.api+json``, on any path
    (the back office's JSON endpoints too, whose pages read JSON)."""
    response = current_app.json.response({"errors": errors})
    response.status_code = status
    response.mimetype = JSONAPI_MEDIA_TYPE
    response.headers.update(headers or {})
    return response


class JsonApi(flask_smorest.Api):  # type: ignore[misc]  # flask-smorest is untyped
    """flask-smorest ``Api`` that speaks JSON:API: media type and error documents."""

    DEFAULT_REQUEST_BODY_CONTENT_TYPE = JSONAPI_MEDIA_TYPE
    DEFAULT_RESPONSE_CONTENT_TYPE = JSONAPI_MEDIA_TYPE
    ERROR_SCHEMA = ErrorDocumentSchema

    def init_app(
        self, app: Flask, *, spec_kwargs: Mapping[str, Any] | None = None
    ) -> None:
        """Install the JSON:API provider, then initialize flask-smorest.

        The OpenAPI document gets the JSON:API error responses and the
        security schemes on every operation (:mod:`app.jsonapi.openapi`).
        """
        install_json_provider(app)
        kwargs = dict(spec_kwargs or {})
        kwargs["extra_plugins"] = [
            *kwargs.get("extra_plugins", ()),
            openapi.JsonApiSpecPlugin(),
        ]
        super().init_app(app, spec_kwargs=kwargs)
        openapi.register_components(self.spec)

        # Answered as strings (as Django REST framework did), accepted as both.
        self.ma_plugin.converter.add_attribute_function(decimal_property)

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:
        """Render ``abort()``, routing and webargs errors as JSON:API."""
        return http_exception_response(error)


def set_html_prefixes(app: Flask, prefixes: Collection[str]) -> None:
    """Give paths under ``prefixes`` werkzeug's HTML error pages instead of JSON.

    Args:
        app: the application.
        prefixes: path prefixes of HTML pages, e.g. ``("/accounts/", "/admin/")``.
    """
    app.extensions[_HTML_PREFIXES] = tuple(prefixes)


def _is_html_path() -> bool:
    prefixes: tuple[str, ...] = current_app.extensions.get(_HTML_PREFIXES, ())
    return (
        bool(prefixes) and has_request_context() and request.path.startswith(prefixes)
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
