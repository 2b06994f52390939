"""Catalogue entries as JSON:API resource objects."""

from __future__ import annotations

from app.jsonapi import JsonObject, resource, to_many
from app.models import NodeModel, Protocol, Quantity


def quantity_resource(entry: Quantity) -> JsonObject:
    """Render a quantity (type ``Quantity``)."""
    return resource(
        "Quantity",
        entry.id,
        {"quantity": entry.quantity, "base_unit": entry.base_unit},
        self_link=f"/api/v1/quantities/{entry.id}/",
    )


def protocol_resource(entry: Protocol) -> JsonObject:
    """Render a protocol (type ``Protocol``)."""
    return resource(
        "Protocol",
        entry.id,
        {
            "identifier": entry.identifier,
            "num_uplink_msgs": entry.num_uplink_msgs,
            "num_downlink_msgs": entry.num_downlink_msgs,
        },
        self_link=f"/api/v1/protocols/{entry.id}/",
    )


def model_resource(entry: NodeModel) -> JsonObject:
    """Render a node model (type ``Model``) with its quantities."""
    quantities = sorted(q.id for q in entry.quantities)
    return resource(
        "Model",
        entry.id,
        {
            "name": entry.name,
            "trade_name": entry.trade_name,
            "manufacturer": entry.manufacturer,
            "sensor_type": entry.sensor_type,
        },
        {"quantities": to_many([("Quantity", q) for q in quantities], with_count=True)},
        self_link=f"/api/v1/models/{entry.id}/",
    )
