"""The single-sample request document read into the service's ``SampleInput``.

Wire format, so it lives with the routes (and the fast path, which must accept
exactly what the route accepts): the service takes a validated sample.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.errors import ConflictError, ErrorDetail, ValidationError
from app.jsonapi.exceptions import json_pointer
from app.jsonapi.request import ResourceInput
from app.services.ingest import validation
from app.services.ingest.single import NODE_POINTER, SampleInput
from app.services.ingest.validation import FieldError, Limits


def sample_from_resource(resource: ResourceInput, limits: Limits) -> SampleInput:
    """Validate a JSON:API ``Sample`` resource object.

    Raises:
        ValidationError: one error per bad field, each with its pointer.
        ConflictError: the node relationship names another type than ``Node``.
    """
    attrs = resource.attributes
    checks: dict[str, Any] = {
        "timestamp_s": lambda v: validation.timestamp_s(v, limits),
        "co2_ppm": validation.co2_ppm,
        "temperature_celsius": validation.temperature_celsius,
        "rel_humidity_percent": validation.rel_humidity_percent,
        "measurement_status": validation.measurement_status,
    }
    values: dict[str, Any] = {}
    problems: list[ErrorDetail] = []
    for name, check in checks.items():
        try:
            values[name] = check(attrs.get(name))
        except FieldError as exc:
            pointer = json_pointer("data", "attributes", name)
            problems.append(ErrorDetail(exc.detail, pointer, exc.code))
    try:
        node_id = _node_id(resource)
    except FieldError as exc:
        problems.insert(0, ErrorDetail(exc.detail, NODE_POINTER, exc.code))
    if problems:
        raise ValidationError("", errors=problems)
    return SampleInput(node_id=node_id, **values)


def _node_id(resource: ResourceInput) -> uuid.UUID:
    linkage = resource.relationships.get("node")
    if linkage is None or isinstance(linkage, list):
        raise FieldError("node", "This field is required.", "required")
    type_, id_ = linkage
    if type_ != "Node":
        raise ConflictError(
            f"Incorrect relation type. Expected Node, received {type_}.", NODE_POINTER
        )
    return validation.node_uuid(id_, "node")
