"""The JSON:API wire format of the Managair-compatible API; knows no domain.

Wiring in ``create_app``::

    make_slashes_optional(app)
    api = JsonApi(app)          # vnd.api+json responses, HTTPException handler
    register_error_handlers(app, html_prefixes=("/accounts/", "/admin/"))
    init_media(app)             # 415 for non-JSON bodies, 406/415 JSON:API negotiation

A list view then reads::

    params = parse_query_params()
    params.check_include({"address", "operator"})
    page = paginate(listing.total, params)
    return collection([...], included=[...], links=page.links, meta=page.meta)

(the blueprints do this through ``app.blueprints.docs.paged``).
"""

from app.jsonapi.blueprint import JsonApiBlueprint
from app.jsonapi.document import (
    Id,
    JsonObject,
    absolute_url,
    collection,
    dedupe,
    identifier,
    resource,
    single,
    to_many,
    to_one,
)
from app.jsonapi.errors import (
    JsonApi,
    error_object,
    error_response,
    http_exception_response,
    set_html_prefixes,
    validation_errors,
)
from app.jsonapi.exceptions import ParameterError, json_pointer
from app.jsonapi.fields import flatten_messages
from app.jsonapi.handlers import Rollbackable, register_error_handlers
from app.jsonapi.integrity import IntegrityProblem, classify_integrity_error
from app.jsonapi.media import (
    JSON_MEDIA_TYPE,
    JSONAPI_MEDIA_TYPE,
    JsonApiProvider,
    accepts_media_types,
    drop_content_type_of_no_content,
    init_media,
    install_json_provider,
    negotiate_jsonapi,
    require_json_body,
)
from app.jsonapi.pagination import Page, paginate
from app.jsonapi.params import MAX_PAGE_SIZE, QueryParams, parse_query_params
from app.jsonapi.request import (
    ResourceInput,
    parse_id,
    parse_resource,
    relationship_id,
)
from app.jsonapi.routing import make_slashes_optional

__all__ = [
    "JSONAPI_MEDIA_TYPE",
    "JSON_MEDIA_TYPE",
    "MAX_PAGE_SIZE",
    "Id",
    "IntegrityProblem",
    "JsonApi",
    "JsonApiBlueprint",
    "JsonApiProvider",
    "JsonObject",
    "Page",
    "ParameterError",
    "QueryParams",
    "ResourceInput",
    "Rollbackable",
    "absolute_url",
    "accepts_media_types",
    "classify_integrity_error",
    "collection",
    "dedupe",
    "drop_content_type_of_no_content",
    "error_object",
    "error_response",
    "flatten_messages",
    "http_exception_response",
    "identifier",
    "init_media",
    "install_json_provider",
    "json_pointer",
    "make_slashes_optional",
    "negotiate_jsonapi",
    "paginate",
    "parse_id",
    "parse_query_params",
    "parse_resource",
    "register_error_handlers",
    "relationship_id",
    "require_json_body",
    "resource",
    "set_html_prefixes",
    "single",
    "to_many",
    "to_one",
    "validation_errors",
]
