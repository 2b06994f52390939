"""What every operation of the OpenAPI document says without being told.

An apispec plugin completes each operation flask-smorest registers:

* the JSON:API error responses (``{"errors": [...]}``) the error handlers
  produce: 400 (webargs' 422 is answered as 400, so it is documented as 400),
  401 with ``WWW-Authenticate``, 403, 404 on paths with parameters, 406 under
  ``/api/`` (JSON:API content negotiation), 409, 413 and 415 on requests with
  bodies, 503 with ``Retry-After`` (database down);
* ``204 No Content`` on a ``DELETE`` that documents no other success;
* the credentials the API accepts (security schemes ``Token``, ``Bearer``,
  ``Session``), each optional: public endpoints answer anonymous callers.

Knows no domain; views document their success responses and parameters with
flask-smorest's decorators.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin

from app.jsonapi.media import JSONAPI_MEDIA_TYPE, JSONAPI_PREFIXES

JsonObject = dict[str, Any]

ERROR_DOCUMENT = {"$ref": "#/components/schemas/ErrorDocument"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    }
}
#: name -> (status, description, extra headers)
ERROR_RESPONSES: dict[str, tuple[int, str, JsonObject]] = {
    "BAD_REQUEST": (400, "Invalid request: the errors point at the cause", {}),
    "UNAUTHORIZED": (
        401,
        "Missing or invalid credentials",
        {
            "WWW-Authenticate": {
                "description": "The authentication scheme to use",
                "schema": {"type": "string"},
            }
        },
    ),
    "FORBIDDEN": (403, "Visible, but not permitted to this caller", {}),
    "NOT_FOUND": (404, "No such object, or not visible to this caller", {}),
    "NOT_ACCEPTABLE": (
        406,
        "Accept names application/vnd.api+json only with parameters other than "
        "ext and profile, or with an extension (none is supported)",
        {},
    ),
    "CONFLICT": (409, "Conflicts with stored data or the URL", {}),
    "PAYLOAD_TOO_LARGE": (413, "The body exceeds MAX_REQUEST_BYTES", {}),
    "UNSUPPORTED_MEDIA_TYPE": (
        415,
        "The body is not JSON, or is application/vnd.api+json with a parameter "
        "other than profile",
        {},
    ),
    "TOO_MANY_REQUESTS": (429, "Too many failed attempts", _RETRY_AFTER),
    "SERVICE_UNAVAILABLE": (503, "A dependency (the database) is down", _RETRY_AFTER),
}
SECURITY_SCHEMES: dict[str, JsonObject] = {
    "Token": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "An API key from the log-in: `Authorization: Token <key>`",
    },
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from the log-in or the token refresh",
    },
    "Session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "A browser session; unsafe requests also need the "
        "`csrftoken` cookie's value in `X-CSRFToken`",
    },
}
#: Anonymous or any of the schemes; the endpoint decides what it needs.
SECURITY: list[dict[str, list[str]]] = [{}] + [{name: []} for name in SECURITY_SCHEMES]

_BODY_METHODS = frozenset({"post", "put", "patch"})
#: Paths that negotiate the JSON:API media type (as :mod:`app.jsonapi.media`).
_NEGOTIATED = JSONAPI_PREFIXES
_SUCCESS = ("200", "201", "202", "204")


def error_response(name: str) -> JsonObject:
    """Return the ``components.responses`` entry ``name`` of :data:`ERROR_RESPONSES`."""
    _status, description, headers = ERROR_RESPONSES[name]
    response: JsonObject = {
        "description": description,
        "content": {JSONAPI_MEDIA_TYPE: {"schema": ERROR_DOCUMENT}},
    }
    if headers:
        response["headers"] = headers
    return response


#: What holds for every string of every request and cannot be said per field:
#: OpenAPI 3.0 has no schema for "any string" nor for member names.
TEXT_RULE = (
    "No string in a request, member names included, may contain NUL (U+0000) or "
    "a lone UTF-16 surrogate: the database cannot store them, so they are "
    "refused with 400 wherever they occur."
)


def register_components(spec: APISpec) -> None:
    """Add the error responses, the security schemes and :data:`TEXT_RULE` to ``spec``."""
    spec.options.setdefault("info", {}).setdefault("description", TEXT_RULE)
    for name in ERROR_RESPONSES:
        spec.components.response(name, error_response(name))
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)


def _ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/responses/{name}"}


def complete_operation(path: str, method: str, operation: JsonObject) -> None:
    """Add the error responses, the 204 of a delete and the security of one operation."""
    responses: JsonObject = operation.setdefault("responses", {})
    for key in [k for k in responses if str(k) == "422"]:
        del responses[key]
    wanted = ["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "SERVICE_UNAVAILABLE"]
    if "{" in path:
        wanted.append("NOT_FOUND")
    if path.startswith(_NEGOTIATED):
        wanted.append("NOT_ACCEPTABLE")
    if method in _BODY_METHODS:
        wanted += ["CONFLICT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"]
    present = {str(k) for k in responses}
    for name in wanted:
        status = str(ERROR_RESPONSES[name][0])
        if status not in present:
            responses[status] = _ref(name)
    if method == "delete" and not present.intersection(_SUCCESS):
        responses["204"] = {"description": "Deleted"}
    operation.setdefault("security", SECURITY)


class JsonApiSpecPlugin(BasePlugin):
    """Completes every operation registered in the spec (see the module docstring)."""

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict[str, JsonObject] | None = None,
        **kwargs: Any,
    ) -> None:
        """Complete the operations of ``path``."""
        for method, operation in (operations or {}).items():
            if method in {"get", "post", "put", "patch", "delete"}:
                complete_operation(path or "", method, operation)
