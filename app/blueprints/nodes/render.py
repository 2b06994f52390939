"""Nodes as JSON:API resource objects, with their sample figures."""

from __future__ import annotations

from typing import Any

from app.jsonapi import JsonObject, resource, to_many, to_one
from app.services.inventory.views import NodeView
from app.services.series.epoch import to_epoch


def node_resource(
    view: NodeView, query_timestamp_s: int | None = None, timeseries: object = None
) -> JsonObject:
    """Render a node (type ``Node``).

    Args:
        view: the node with its figures; a detail view carries its window
            (``from/to_timestamp_s``: the first/last sample in it, else its
            bounds) and, with ``include_timeseries``, the samples.
        query_timestamp_s: the request time (detail only).
        timeseries: what stands for the samples, once they were read.

    Returns:
        The resource object; ``latest_sample`` is omitted when there is none.
    """
    node, stats = view.node, view.stats
    attributes: dict[str, Any] = {
        "eui64": node.eui64,
        "alias": node.alias,
        "description": node.description,
        "sample_count": stats.count,
        "fidelity": view.fidelity,
    }
    if stats.latest is not None:
        attributes["latest_sample"] = stats.latest
    if view.window is not None:
        first = stats.first or view.window.start
        last = stats.last or view.window.last
        attributes["query_timestamp_s"] = query_timestamp_s
        attributes["from_timestamp_s"] = None if first is None else to_epoch(first)
        attributes["to_timestamp_s"] = None if last is None else to_epoch(last)
    if timeseries is not None:
        attributes["timeseries"] = timeseries
    base = f"/api/v1/nodes/{node.id}"
    return resource(
        "Node",
        node.id,
        attributes,
        {
            "protocol": to_one("Protocol", node.protocol_id, f"{base}/protocol/"),
            "model": to_one("Model", node.model_id, f"{base}/model/"),
            "owner": to_one("Organization", node.owner_id, f"{base}/owner/"),
            "installations": to_many(None, related=f"{base}/installations/"),
            "fidelity": to_one("Fidelity", node.id, f"/api/v1/fidelity/{node.id}/"),
        },
        self_link=f"{base}/",
    )
