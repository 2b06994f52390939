"""Builders for JSON:API documents, as plain dicts in the reference's key order.

Links given as paths (``"/api/v1/sites/1/"``) are made absolute from the
request host: the Clair clients resolve a path-only ``links.related`` against
their base URL and end up at ``/api/v1/api/v1/...``. Full URLs pass unchanged.

Relationships come in the three renderings of Managair (DRF-JSON:API):

* to-one: ``{"data": {"type", "id"} | null, "links": {"related"}}``
  (:func:`to_one`);
* to-many with data: ``{"data": [...], "links"?, "meta": {"count"}}``
  (:func:`to_many` with ``items`` and ``with_count=True``);
* to-many links only: ``{"links": {"self"?, "related"}}``
  (:func:`to_many` with ``items=None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from flask import request

JsonObject = dict[str, Any]
Id = str | int | UUID


def absolute_url(path: str) -> str:
    """Return ``path`` as an absolute URL on the host the request came to.

    Args:
        path: an absolute path (``/api/v1/rooms/1/``), with or without a query;
            a URL that already has a scheme is returned unchanged.

    Returns:
        ``scheme://host/path``.

    Raises:
        RuntimeError: outside a request context (when ``path`` is a path).
    """
    # A path (the usual case, hundreds of links per list) skips urlsplit: it has no
    # scheme, and parsing each one was a fifth of a 100-node list's CPU time.
    if not path.startswith("/") and urlsplit(path).scheme:
        return path
    return _host_url() + path.lstrip("/")


_HOST_URL = "airq.host_url"


def _host_url() -> str:
    """``request.host_url``, worked out once per request and kept in its environ.

    Werkzeug derives it from the headers at every access (about 4 us): 600 links of
    a 100-node list spent 2.5 ms on it.
    """
    environ = request.environ
    url: str | None = environ.get(_HOST_URL)
    if url is None:
        url = environ[_HOST_URL] = request.host_url
    return url


def identifier(type_: str, id_: Id) -> JsonObject:
    """Return a resource identifier object ``{"type", "id"}`` with a string id."""
    return {"type": type_, "id": str(id_)}


def resource(
    type_: str,
    id_: Id,
    attributes: Mapping[str, Any],
    relationships: Mapping[str, JsonObject] | None = None,
    self_link: str | None = None,
) -> JsonObject:
    """Build a resource object.

    Args:
        type_: the JSON:API type, e.g. ``"Site"``.
        id_: the id; rendered as a string.
        attributes: attribute members (rendered even when empty).
        relationships: relationship objects by name (omitted when empty).
        self_link: ``links.self``, a path or URL.

    Returns:
        ``{"type", "id", "attributes", "relationships"?, "links"?}``.
    """
    obj: JsonObject = {"type": type_, "id": str(id_), "attributes": dict(attributes)}
    if relationships:
        obj["relationships"] = dict(relationships)
    if self_link is not None:
        obj["links"] = {"self": absolute_url(self_link)}
    return obj


def to_one(type_: str, id_: Id | None, related: str | None = None) -> JsonObject:
    """Build a to-one relationship object.

    Args:
        type_: the related resource's type.
        id_: the related id, or None for an empty relationship (``data: null``).
        related: ``links.related``, a path or URL.

    Returns:
        ``{"data": {"type", "id"} | None, "links"?: {"related"}}``.
    """
    obj: JsonObject = {"data": None if id_ is None else identifier(type_, id_)}
    if related is not None:
        obj["links"] = {"related": absolute_url(related)}
    return obj


def to_many(
    items: Iterable[tuple[str, Id]] | None,
    related: str | None = None,
    self_link: str | None = None,
    with_count: bool = False,
) -> JsonObject:
    """Build a to-many relationship object.

    Args:
        items: ``(type, id)`` pairs rendered as ``data``; None renders links only.
        related: ``links.related``, a path or URL.
        self_link: ``links.self`` (the relationship endpoint), a path or URL.
        with_count: add ``meta.count`` (the reference does for data relations).

    Returns:
        ``{"data"?, "links"?, "meta"?}``.

    Raises:
        ValueError: neither ``items`` nor a link given (an empty member).
    """
    links: JsonObject = {}
    if self_link is not None:
        links["self"] = absolute_url(self_link)
    if related is not None:
        links["related"] = absolute_url(related)
    if items is None:
        if not links:
            raise ValueError("A links-only relationship needs a link.")
        return {"links": links}
    data = [identifier(type_, id_) for type_, id_ in items]
    obj: JsonObject = {"data": data}
    if links:
        obj["links"] = links
    if with_count:
        obj["meta"] = {"count": len(data)}
    return obj


def dedupe(
    resources: Iterable[JsonObject], exclude: Iterable[JsonObject] = ()
) -> list[JsonObject]:
    """Keep the first resource of each ``(type, id)``, dropping those in ``exclude``.

    Args:
        resources: resource objects, possibly repeated.
        exclude: resource objects already in the document (primary data).

    Returns:
        The unique resources, in their first-seen order.
    """
    seen = {(r["type"], r["id"]) for r in exclude}
    unique: list[JsonObject] = []
    for res in resources:
        key = (res["type"], res["id"])
        if key not in seen:
            seen.add(key)
            unique.append(res)
    return unique


def single(
    primary: JsonObject | None, included: Iterable[JsonObject] | None = None
) -> JsonObject:
    """Build a document whose primary data is one resource (or null).

    Args:
        primary: the resource object, or None for an empty to-one.
        included: related resources; de-duplicated, primary data removed,
            omitted when empty.

    Returns:
        ``{"data", "included"?}``.
    """
    doc: JsonObject = {"data": primary}
    unique = dedupe(included or (), [primary] if primary else [])
    if unique:
        doc["included"] = unique
    return doc


def collection(
    resources: Iterable[JsonObject],
    included: Iterable[JsonObject] | None = None,
    links: Mapping[str, Any] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> JsonObject:
    """Build a document whose primary data is a list of resources.

    Args:
        resources: the resource objects.
        included: related resources; de-duplicated, primary data removed,
            omitted when empty.
        links: top-level links (pagination: ``first``, ``last``, ``next``, ``prev``).
        meta: top-level meta (``{"pagination": {...}}``).

    Returns:
        ``{"links"?, "data", "included"?, "meta"?}``.
    """
    data = list(resources)
    doc: JsonObject = {}
    if links is not None:
        doc["links"] = dict(links)
    doc["data"] = data
    unique = dedupe(included or (), data)
    if unique:
        doc["included"] = unique
    if meta is not None:
        doc["meta"] = dict(meta)
    return doc
