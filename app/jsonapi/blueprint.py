"""A flask-smorest ``Blueprint`` that documents JSON:API bodies and is typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import flask
import flask_smorest
import marshmallow as ma
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy

from app.jsonapi import guard
from app.jsonapi.media import JSONAPI_MEDIA_TYPE

F = TypeVar("F", bound=Callable[..., Any])


class LastValueProxy(MultiDictProxy):
    """A query string whose repeated single-valued parameter gives its last value.

    webargs hands a schema the first one; :func:`app.jsonapi.parse_query_params`
    (and Django's ``QueryDict.get`` in the reference) the last, so a repeated
    ``filter[...]`` means the same whichever of the two reads it.
    """

    def __getitem__(self, key: str) -> Any:
        if key in self.multiple_keys or not hasattr(self.data, "getlist"):
            return super().__getitem__(key)
        values = self.data.getlist(key)
        return values[-1] if values else ma.missing


class GuardedParser(FlaskParser):
    """webargs' parser, reading JSON bodies within :mod:`app.jsonapi.guard`'s limits.

    webargs parses bodies with the standard library itself, not with the app's
    JSON provider. Query strings read as :class:`LastValueProxy`.
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return guard.loads(req.get_data(cache=True))

    def load_querystring(self, req: flask.Request, schema: ma.Schema) -> Any:
        """Return the query string, the last value of a repeated parameter winning."""
        return LastValueProxy(req.args, schema)


class JsonApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # untyped
    """``Blueprint`` whose JSON request bodies are ``application/vnd.api+json``.

    flask-smorest takes the OpenAPI request-body media type from the blueprint,
    not from ``Api.DEFAULT_REQUEST_BODY_CONTENT_TYPE``. The decorator methods are
    re-declared with types, so views stay typed under ``mypy --strict``
    (flask-smorest ships no type information).
    """

    ARGUMENTS_PARSER = GuardedParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "json": JSONAPI_MEDIA_TYPE,
    }

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Register a view function or ``MethodView`` (``Blueprint.route``)."""
        decorator: Callable[[F], F] = super().route(rule, **options)
        return decorator

    def arguments(self, schema: Any, **options: Any) -> Callable[[F], F]:
        """Parse and validate request arguments (``Blueprint.arguments``)."""
        decorator: Callable[[F], F] = super().arguments(schema, **options)
        return decorator

    def response(
        self, status_code: int, *args: Any, **options: Any
    ) -> Callable[[F], F]:
        """Document and serialize the response (``Blueprint.response``)."""
        decorator: Callable[[F], F] = super().response(status_code, *args, **options)
        return decorator

    def alt_response(
        self, status_code: int | str, *args: Any, **options: Any
    ) -> Callable[[F], F]:
        """Document a further response without serializing (``Blueprint.alt_response``)."""
        decorator: Callable[[F], F] = super().alt_response(
            status_code, *args, **options
        )
        return decorator

    def doc(self, **options: Any) -> Callable[[F], F]:
        """Add OpenAPI members to an operation verbatim (``Blueprint.doc``)."""
        decorator: Callable[[F], F] = super().doc(**options)
        return decorator
