"""The JSON:API media type: response serialization and request-body checks.

Responses are ``application/vnd.api+json`` through :class:`JsonApiProvider`.
Request bodies must be JSON (``application/vnd.api+json`` or
``application/json``); anything else is a 415. Under ``/api/`` JSON:API's
content negotiation applies too (:func:`negotiate_jsonapi`): a JSON:API body
with a media type parameter other than ``ext``, ``profile`` and ``charset``
(tolerated, as Managair did), or with an extension (none is supported), is a 415, and an ``Accept`` whose every JSON:API
media type is so modified is a 406. A route that takes other bodies
(multipart image upload, CSV or NDJSON ingest) opts out with
:func:`accepts_media_types`, which *replaces* the accepted list for that view::

    @blp.route("/<int:pk>/image/")
    class InstallationImage(MethodView):
        @accepts_media_types("multipart/form-data")
        def post(self, pk: int) -> ...: ...

The decorator may sit on a view function, on a ``MethodView`` method, or on a
whole ``MethodView`` class, in any order with flask-smorest's decorators.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any, TypeVar

import orjson

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotAcceptable, UnsupportedMediaType
from werkzeug.http import parse_options_header

from app.jsonapi import guard

JSONAPI_MEDIA_TYPE = "application/vnd.api+json"
JSON_MEDIA_TYPE = "application/json"
JSON_MEDIA_TYPES = (JSONAPI_MEDIA_TYPE, JSON_MEDIA_TYPE)

#: Paths whose request bodies :func:`init_media` checks by default.
API_PREFIXES = ("/api/", "/ingest/")
#: Paths that follow JSON:API's content negotiation (:func:`negotiate_jsonapi`).
#: The ingest routes do not: they read JSON, NDJSON and CSV by their own rules.
JSONAPI_PREFIXES = ("/api/",)

#: The media type parameters JSON:API defines, and ``charset``: JSON:API refuses
#: it, but common HTTP clients add it and Managair (DRF) accepted it, so its
#: clients may send it. Others are refused.
JSONAPI_PARAMS = frozenset({"ext", "profile", "charset"})

# What require_json_body lets through; JSON:API's own rules are stricter
# (negotiate_jsonapi, /api/ only: no extension).
_ALLOWED_PARAMS = {
    JSONAPI_MEDIA_TYPE: JSONAPI_PARAMS,
    JSON_MEDIA_TYPE: frozenset({"charset"}),
}
_ATTRIBUTE = "_jsonapi_media_types"

F = TypeVar("F", bound=Callable[..., Any])

# What Flask's provider passes for compact responses.
_COMPACT = {"separators": (",", ":")}
ORJSON_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_NON_STR_KEYS
)


class JsonApiProvider(DefaultJSONProvider):
    """Flask JSON provider that answers ``application/vnd.api+json``.

    Keys keep their insertion order (``links``, ``data``, ``included``,
    ``meta``) and non-ASCII text (German names, umlauts) stays readable.

    Compact responses are written by orjson: a month of samples in a detail
    document is about a megabyte, 20 ms with the standard library and 1-2 ms
    with orjson. Types orjson would render differently (dates, dataclasses)
    go to Flask's own ``default``, so the text is the same; anything orjson
    refuses (integers beyond 64 bits) falls back to the standard library, as
    do indented (debug) responses.
    """

    mimetype = JSONAPI_MEDIA_TYPE
    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj``; compact output through orjson (see the class)."""
        if kwargs == _COMPACT:
            try:
                return orjson.dumps(
                    obj, default=self.default, option=ORJSON_OPTIONS
                ).decode()
            except TypeError:  # orjson.JSONEncodeError included
                pass
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON (request bodies) within :mod:`app.jsonapi.guard`'s limits."""
        return guard.loads(s, partial(json.loads, **kwargs))


def install_json_provider(app: Flask) -> None:
    """Make ``app`` serialize every JSON response as JSON:API.

    Args:
        app: the application; its ``app.json`` is replaced.
    """
    if not isinstance(app.json, JsonApiProvider):
        app.json = JsonApiProvider(app)


def accepts_media_types(*media_types: str) -> Callable[[F], F]:
    """Declare the request-body media types a view accepts instead of JSON.

    Args:
        *media_types: bare media types (no parameters), e.g. ``"text/csv"``.
            List the JSON types too if the view also takes JSON.

    Returns:
        A decorator that marks the view and returns it unchanged.
    """
    accepted = frozenset(m.lower() for m in media_types)

    def mark(view: F) -> F:
        setattr(view, _ATTRIBUTE, accepted)
        return view

    return mark


def require_json_body() -> None:
    """Reject a request body that is not JSON (a ``before_request`` hook).

    Requests without a body pass whatever their ``Content-Type`` (clients send
    the JSON:API type on GETs too). So do requests that did not match a route,
    so that 404 and 405 win over 415.

    Raises:
        UnsupportedMediaType: the body's media type is not accepted by the view,
            or it is a JSON type with parameters JSON:API does not allow.
    """
    if request.url_rule is None or not _has_body():
        return
    mimetype = request.mimetype
    params = request.mimetype_params
    if mimetype in _ALLOWED_PARAMS and not _params_allowed(mimetype, params):
        raise UnsupportedMediaType(
            f'Media type parameters {sorted(params)} are not allowed on "{mimetype}". '
            f"Send Content-Type: {mimetype} without them."
        )
    accepted = _accepted_by_view() or frozenset(JSON_MEDIA_TYPES)
    if mimetype not in accepted:
        shown = mimetype or "(none)"
        raise UnsupportedMediaType(
            f'Unsupported media type "{shown}" in request. '
            f"Send {' or '.join(sorted(accepted))}."
        )


def negotiate_jsonapi() -> None:
    """Apply JSON:API 1.1's content negotiation (a ``before_request`` hook).

    Refuses only what the specification makes the server refuse; a
    ``Content-Type`` or ``Accept`` without the JSON:API media type (``*/*``,
    ``application/json``) passes, and so does a request without a body whatever
    its ``Content-Type`` (clients send the JSON:API type on GETs too). Requests
    that did not match a route pass too, so that 404 and 405 win.

    Raises:
        UnsupportedMediaType: the body is ``application/vnd.api+json`` with a
            parameter other than ``ext``, ``profile`` and ``charset``, or an extension.
        NotAcceptable: ``Accept`` names the JSON:API media type, but every
            instance of it has such a parameter or an extension.
    """
    if request.url_rule is None:
        return
    if _has_body() and request.mimetype == JSONAPI_MEDIA_TYPE:
        problem = _jsonapi_params_problem(request.mimetype_params)
        if problem:
            raise UnsupportedMediaType(
                f"Content-Type: {problem}. "
                f"Send Content-Type: {JSONAPI_MEDIA_TYPE} without parameters."
            )
    problems = [
        _jsonapi_params_problem(params)
        for mimetype, params in _accepted_types()
        if mimetype == JSONAPI_MEDIA_TYPE
    ]
    if problems and all(problems):
        raise NotAcceptable(
            f"Accept: {problems[0]}, and no {JSONAPI_MEDIA_TYPE} without "
            f"them is listed. Send Accept: {JSONAPI_MEDIA_TYPE} (without "
            "parameters) or */*."
        )


def init_media(
    app: Flask,
    *,
    prefixes: Collection[str] = API_PREFIXES,
    jsonapi_prefixes: Collection[str] = JSONAPI_PREFIXES,
) -> None:
    """Install the JSON:API provider and the request checks for paths under ``prefixes``.

    The checks: query parameters hold no NUL (:func:`guard.check_query`), and
    bodies are of a media type the view accepts (:func:`require_json_body`);
    under ``jsonapi_prefixes`` JSON:API's content negotiation as well
    (:func:`negotiate_jsonapi`). On every path a 204 loses its ``Content-Type``
    (:func:`drop_content_type_of_no_content`).

    HTML pages (``/accounts/``, ``/admin/``) post forms, so the check is limited
    to the API paths. Alternatively register :func:`require_json_body` on
    individual blueprints with ``blueprint.before_request``.

    Args:
        app: the application.
        prefixes: path prefixes whose request bodies must be JSON.
        jsonapi_prefixes: path prefixes that negotiate the JSON:API media type.
    """
    install_json_provider(app)
    starts = tuple(prefixes)
    negotiated = tuple(jsonapi_prefixes)

    def check_api_body() -> None:
        if request.path.startswith(starts):
            guard.check_query(request.args.items(multi=True))
            if request.path.startswith(negotiated):
                negotiate_jsonapi()
            require_json_body()

    app.before_request(check_api_body)
    app.after_request(drop_content_type_of_no_content)


def drop_content_type_of_no_content(response: Response) -> Response:
    """Remove the ``Content-Type`` of a 204 (an ``after_request`` hook, every path).

    A 204 has no body, so there is nothing to type; werkzeug would still send
    its default ``text/html; charset=utf-8`` for the empty string a view returns.

    Args:
        response: the response about to be sent.

    Returns:
        ``response``, without ``Content-Type`` when its status is 204.
    """
    if response.status_code == 204:
        del response.headers["Content-Type"]
    return response


def _has_body() -> bool:
    if request.content_length:
        return True
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _params_allowed(mimetype: str, params: Mapping[str, str]) -> bool:
    return {key.lower() for key in params} <= _ALLOWED_PARAMS[mimetype]


def _jsonapi_params_problem(params: Mapping[str, str]) -> str | None:
    """Say what JSON:API forbids in ``params`` of its media type; None when nothing."""
    others = sorted({key.lower() for key in params} - JSONAPI_PARAMS)
    if others:
        return (
            f"{JSONAPI_MEDIA_TYPE} takes no media type parameters but ext, "
            f"profile and charset (got {', '.join(others)})"
        )
    if params.get("ext", "").strip():
        return (
            f'this server supports no JSON:API extensions (got ext="{params["ext"]}")'
        )
    return None


def _accepted_types() -> list[tuple[str, dict[str, str]]]:
    """The media types of ``Accept``, lower-cased, with their parameters (no ``q``)."""
    found = []
    for value, _quality in request.accept_mimetypes:
        mimetype, params = parse_options_header(value)
        found.append((mimetype.lower(), params))
    return found


def _accepted_by_view() -> frozenset[str] | None:
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is None:
        return None
    marked: frozenset[str] | None = getattr(view, _ATTRIBUTE, None)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method = getattr(view_class, request.method.lower(), None)
        marked = getattr(method, _ATTRIBUTE, None) or getattr(
            view_class, _ATTRIBUTE, marked
        )
    return marked
