"""Fidelity verdicts as JSON:API ``Fidelity`` resources (id = node UUID)."""

from __future__ import annotations

from datetime import datetime

from app.jsonapi import JsonObject, resource, to_one
from app.services.fidelity.liveness import FidelityView

TYPE = "Fidelity"


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def fidelity_resource(view: FidelityView) -> JsonObject:
    """Render one verdict with its ``node`` relationship and self link."""
    node = str(view.node_id)
    return resource(
        TYPE,
        node,
        {
            "fidelity": view.fidelity.value,
            "last_contact_s": _epoch(view.last_contact),
            "last_check_s": _epoch(view.last_check),
        },
        {"node": to_one("Node", node, f"/api/v1/nodes/{node}/")},
        self_link=f"/api/v1/fidelity/{node}/",
    )
