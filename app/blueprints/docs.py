"""JSON:API response documents and their OpenAPI descriptions: the one helper of views.

Every view answers through :func:`one`, :func:`paged` or :func:`unpaged` (which
page, include and trim by ``fields[...]`` the same way everywhere) and documents
its answer with :func:`reads`, :func:`lists`, :func:`creates`, :func:`updates`
or :func:`answers`. Views do not dump through the schemas here (documents are
assembled by :mod:`app.jsonapi.document`); the schemas only feed
``alt_response`` and request bodies, so the OpenAPI document and the answers
are described in one place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import marshmallow as ma
from flask import request
from flask.typing import ResponseReturnValue

from app.jsonapi import (
    JSONAPI_MEDIA_TYPE,
    JsonObject,
    QueryParams,
    absolute_url,
    collection,
    paginate,
    single,
)
from app.jsonapi.fieldsets import sparse
from app.jsonapi.params import MAX_PAGE_PARAMETER
from app.jsonapi.routing import MAX_ID
from app.services.tenancy.listing import Listing, Page

JsonSchema = dict[str, Any]

#: An integer id as the request parsers take it: a digit string or a number.
INT_ID: JsonSchema = {
    "anyOf": [
        {"type": "string", "pattern": "^[0-9]{1,18}$"},
        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    ]
}
UUID_ID: JsonSchema = {"type": "string", "format": "uuid"}


@dataclass(frozen=True)
class Related:
    """A relationship a request document may send, as the view reads it."""

    type: str
    id: JsonSchema = field(default_factory=lambda: INT_ID)
    required: bool = True
    many: bool = False


@dataclass(frozen=True)
class DocumentSchemas:
    """The schemas describing one resource type's documents.

    ``create``, ``replace`` and ``change`` describe the request bodies of
    POST, PUT and PATCH exactly as the views validate them, so that the
    document neither promises what is refused nor hides what is accepted.
    """

    resource: type[ma.Schema]
    single: type[ma.Schema]
    collection: type[ma.Schema]
    create: JsonSchema
    replace: JsonSchema
    change: JsonSchema


def identifier(type_: str, id_schema: JsonSchema = INT_ID) -> JsonSchema:
    """Return the JSON schema of a resource identifier ``{"type", "id"}``."""
    return {
        "type": "object",
        "required": ["type", "id"],
        "properties": {"type": {"type": "string", "enum": [type_]}, "id": id_schema},
    }


def linkage_document(type_: str) -> JsonSchema:
    """Return the JSON schema of a to-many relationship request ``{"data": [...]}``."""
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "array", "items": identifier(type_)}},
    }


def _attributes(
    schema: type[ma.Schema], name: str, *, partial: bool
) -> type[ma.Schema]:
    """Copy the writable fields of ``schema``; ``partial`` makes every one optional."""
    fields = {
        key: copy.deepcopy(value)
        for key, value in schema._declared_fields.items()
        if not value.dump_only
    }
    if partial:
        for value in fields.values():
            value.required = False
    return ma.Schema.from_dict(fields, name=name)


def _request(
    type_: str,
    attributes: type[ma.Schema],
    relationships: Mapping[str, Related],
    *,
    method: str,
    name: str,
) -> JsonSchema:
    """The JSON schema of a POST, PUT or PATCH body of ``type_``."""
    partial = method == "Patch"
    attrs = _attributes(attributes, f"{name}{method}Attributes", partial=partial)
    links = {
        key: {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {"type": "array", "items": identifier(rel.type, rel.id)}
                if rel.many
                else identifier(rel.type, rel.id)
            },
        }
        for key, rel in relationships.items()
    }
    wanted = [k for k, rel in relationships.items() if rel.required and not partial]
    data: JsonSchema = {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "enum": [type_]},
            "attributes": attrs,
            "relationships": {
                "type": "object",
                "properties": links,
                "required": wanted,
                "additionalProperties": False,
            },
        },
    }
    if any(f.required for f in attrs._declared_fields.values()):
        data["required"].append("attributes")
    if wanted:
        data["required"].append("relationships")
    if method == "Post":
        if type_ == "Node":  # the only type whose client may choose the id
            data["properties"]["id"] = UUID_ID
    else:
        data["required"].append("id")
        data["properties"]["id"] = {
            "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]
        }
    if not wanted:
        del data["properties"]["relationships"]["required"]
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


def document_schemas(
    type_: str,
    attributes: type[ma.Schema],
    name: str | None = None,
    relationships: Mapping[str, Related] | None = None,
) -> DocumentSchemas:
    """Build the resource, single-document and list-document schemas of ``type_``.

    ``name`` prefixes the schema names (default: the type) where two
    descriptions of one type exist; ``relationships`` are the writable ones.
    """
    name = name or type_.replace("-", "")
    requests = {
        key: _request(type_, attributes, relationships or {}, method=method, name=name)
        for key, method in (("create", "Post"), ("replace", "Put"), ("change", "Patch"))
    }
    # Answers carry read-only attributes too: the object stays open to them.
    meta = type("Meta", (getattr(attributes, "Meta", object),), {"unknown": ma.INCLUDE})
    attributes = type(f"{name}Attributes", (attributes,), {"Meta": meta})
    resource = ma.Schema.from_dict(
        {
            "type": ma.fields.Constant(type_),
            "id": ma.fields.String(),
            "attributes": ma.fields.Nested(attributes),
            "relationships": ma.fields.Dict(),
            "links": ma.fields.Dict(),
            "meta": ma.fields.Dict(),
        },
        name=f"{name}Resource",
    )
    single = ma.Schema.from_dict(
        {
            "data": ma.fields.Nested(resource),
            "included": ma.fields.List(ma.fields.Dict()),
            "meta": ma.fields.Dict(),
        },
        name=f"{name}Document",
    )
    listing = ma.Schema.from_dict(
        {
            "links": ma.fields.Dict(),
            "data": ma.fields.List(ma.fields.Nested(resource)),
            "included": ma.fields.List(ma.fields.Dict()),
            "meta": ma.fields.Dict(),
        },
        name=f"{name}ListDocument",
    )
    return DocumentSchemas(resource, single, listing, **requests)


class IdentifierSchema(ma.Schema):
    """A resource identifier object."""

    type = ma.fields.String(required=True)
    id = ma.fields.String(required=True)


class LinkageDocumentSchema(ma.Schema):
    """A to-many relationship document ``{"data": [{"type", "id"}, ...]}``."""

    data = ma.fields.List(ma.fields.Nested(IdentifierSchema), required=True)


def request_body(schema: type[ma.Schema] | JsonSchema) -> dict[str, Any]:
    """Return an OpenAPI ``requestBody`` for a JSON:API document ``schema``."""
    return {
        "required": True,
        "content": {JSONAPI_MEDIA_TYPE: {"schema": schema}},
    }


F = TypeVar("F", bound=Callable[..., Any])

#: The largest integer the query parsers read (18 digits): ``page[...]`` (sizes
#: clamp to 100) and id filters; a longer number is refused with 400.
PAGE_MAX = MAX_PAGE_PARAMETER
PAGE_PARAMETERS: tuple[dict[str, Any], ...] = (
    {
        "in": "query",
        "name": "page[number]",
        "description": "Page to return (1-based); needs `page[size]`",
        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
    },
    {
        "in": "query",
        "name": "page[size]",
        "description": "Items per page (at most 100); without it, every item",
        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
    },
)


def query_parameter(
    name: str, description: str, schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return the OpenAPI description of a plain query parameter."""
    return {
        "in": "query",
        "name": name,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def include_parameter(*paths: str) -> dict[str, Any]:
    """Return ``include``: related resources to add, comma-separated ``paths``."""
    return query_parameter(
        "include",
        f"Related resources to include, comma-separated: {', '.join(paths)}; "
        "empty includes none",
        {"type": "string", "enum": ["", *paths]},
    )


def sort_parameter(*order: str) -> dict[str, Any]:
    """Return ``sort``: the list's fixed ``order`` or a leading part of it.

    The API does not re-sort lists; naming their order is accepted and every
    other ``sort`` is a 400. An empty ``sort`` (and ``include``) asks for
    nothing, as if absent: the parser takes it, so the document lists it.
    """
    accepted = [",".join(order[:n]) for n in range(1, len(order) + 1)]
    return query_parameter(
        "sort",
        f"The list's order, `{accepted[-1]}` (or a leading part of it); "
        "empty is the same; other keys are refused with 400",
        {"type": "string", "enum": ["", *accepted]},
    )


def _parameters(parameters: Sequence[Mapping[str, Any]]) -> Callable[[F], F]:
    """Document query ``parameters`` next to those a ``blp.arguments`` schema gives.

    ``blp.doc(parameters=...)`` would replace the parameters flask-smorest
    derives from the view's query schema (it merges manual documentation key
    by key, and a list is one key), hiding the filters it validates; joining
    the list the ``arguments`` decorator fills keeps both.
    """

    def apply(view: F) -> F:
        apidoc = copy.deepcopy(getattr(view, "_apidoc", {}))
        arguments = apidoc.setdefault("arguments", {})
        arguments.setdefault("parameters", []).extend(copy.deepcopy(parameters))
        view._apidoc = apidoc  # type: ignore[attr-defined]
        return view

    return apply


def _compose(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    def apply(view: F) -> F:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return apply


def lists(
    blp: Any,
    documents: DocumentSchemas,
    *parameters: dict[str, Any],
    paged: bool = True,
) -> Callable[[F], F]:
    """Document a list view: a list document, its filters and (``paged``) paging."""
    params = [*parameters, *(PAGE_PARAMETERS if paged else ())]
    return _compose(
        _parameters(params),
        blp.alt_response(200, schema=documents.collection, success=True),
    )


def reads(
    blp: Any, documents: DocumentSchemas, *parameters: dict[str, Any]
) -> Callable[[F], F]:
    """Document a detail view answering one resource."""
    return _compose(
        _parameters(parameters),
        blp.alt_response(200, schema=documents.single, success=True),
    )


def creates(blp: Any, documents: DocumentSchemas) -> Callable[[F], F]:
    """Document a create view: the resource document in, 201 with it and ``Location``."""
    return _compose(
        blp.doc(requestBody=request_body(documents.create)),
        blp.alt_response(
            201,
            schema=documents.single,
            success=True,
            headers={
                "Location": {
                    "description": "URL of the new resource",
                    "schema": {"type": "string"},
                }
            },
        ),
    )


def updates(
    blp: Any, documents: DocumentSchemas, *, partial: bool = True
) -> Callable[[F], F]:
    """Document a PATCH (``partial``) or PUT view: the document in, 200 with it."""
    body = documents.change if partial else documents.replace
    return _compose(
        blp.doc(requestBody=request_body(body)),
        blp.alt_response(200, schema=documents.single, success=True),
    )


def uploads_image(blp: Any, documents: DocumentSchemas) -> Callable[[F], F]:
    """Document a photo upload: multipart part ``image``, 200 with the resource."""
    body = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"image": {"type": "string", "format": "binary"}},
                    "required": ["image"],
                }
            }
        },
    }
    return _compose(
        blp.doc(requestBody=body),
        blp.alt_response(200, schema=documents.single, success=True),
    )


def relates(blp: Any, type_: str | None = None) -> Callable[[F], F]:
    """Document a relationship view: the linkage of ``type_`` in (if given) and out."""
    answer = blp.alt_response(200, schema=LinkageDocumentSchema, success=True)
    if type_ is None:
        return answer  # type: ignore[no-any-return]
    return _compose(blp.doc(requestBody=request_body(linkage_document(type_))), answer)


def reads_or(
    blp: Any, documents: DocumentSchemas, content: Mapping[str, Any], what: str
) -> Callable[[F], F]:
    """Document a read answering one resource as JSON:API or as ``content``.

    ``alt_response`` knows one media type per status, so a 200 that is also
    offered as, say, CSV is written out whole.
    """
    answer = {JSONAPI_MEDIA_TYPE: {"schema": documents.single}, **content}
    return blp.doc(responses={"200": {"description": what, "content": answer}})  # type: ignore[no-any-return]


def answers(blp: Any, schema: type[ma.Schema], status: int = 200) -> Callable[[F], F]:
    """Document a view answering ``schema`` (a document class) with ``status``."""
    return blp.alt_response(status, schema=schema, success=True)  # type: ignore[no-any-return]


def takes(blp: Any, body: Mapping[str, Any]) -> Callable[[F], F]:
    """Document a view's ``requestBody`` given whole (several media types, say)."""
    return blp.doc(requestBody=body)  # type: ignore[no-any-return]


def responds(
    blp: Any, status: int, description: str, schema: Any = None
) -> Callable[[F], F]:
    """Document one of several answers of a view, each with its own ``description``."""
    return blp.alt_response(status, schema=schema, description=description)  # type: ignore[no-any-return]


def throttled(blp: Any) -> Callable[[F], F]:
    """Document the 429 (with ``Retry-After``) of a rate-limited view."""
    return blp.alt_response(429, response="TOO_MANY_REQUESTS")  # type: ignore[no-any-return]


T = TypeVar("T")

#: The parameters of a view that reads none: its answer is neither trimmed nor
#: paged, and a query string it never promised to read cannot make it fail.
NO_QUERY = QueryParams()


def page(params: QueryParams) -> Page:
    """Return the rows the requested page covers (all rows without ``page[size]``)."""
    return Page.numbered(params.page_number, params.page_size)


def paged(
    listing: Listing[T],
    params: QueryParams,
    render: Callable[[T], JsonObject],
    included: Iterable[JsonObject] = (),
) -> JsonObject:
    """Render one page of a list with pagination links and meta.

    Raises:
        NotFoundError: the page number is beyond the last page.
    """
    page = paginate(listing.total, params)
    return collection(
        [sparse(render(item), params.fields) for item in listing.items],
        [sparse(res, params.fields) for res in included],
        links=page.links,
        meta=page.meta,
    )


def unpaged(
    items: Iterable[T], params: QueryParams, render: Callable[[T], JsonObject]
) -> JsonObject:
    """Render a whole list without paging (the reference's related endpoints)."""
    return collection([sparse(render(item), params.fields) for item in items])


def one(
    res: JsonObject,
    params: QueryParams = NO_QUERY,
    included: Iterable[JsonObject] = (),
) -> JsonObject:
    """Render a single-resource document."""
    return single(
        sparse(res, params.fields), [sparse(r, params.fields) for r in included]
    )


def created(doc: JsonObject) -> ResponseReturnValue:
    """Answer 201 with the created resource and its ``Location``."""
    data: Any = doc["data"]
    location = data.get("links", {}).get("self") or absolute_url(request.path)
    return doc, 201, {"Location": location}


def no_content() -> ResponseReturnValue:
    """Answer 204 with an empty body."""
    return "", 204
