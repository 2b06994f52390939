"""``Node-Timeseries`` and ``Installation-Timeseries`` resource objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.jsonapi import JsonObject, resource
from app.services.series.epoch import to_epoch
from app.services.series.timeseries import InstallationTimeseries, NodeTimeseries


def node_timeseries(item: NodeTimeseries, now: datetime) -> JsonObject:
    """A node's time series; ``samples`` only in the detail."""
    attributes: dict[str, Any] = {
        "node_alias": item.node_alias,
        "query_timestamp_s": to_epoch(now),
        "from_timestamp_s": item.from_timestamp_s,
        "to_timestamp_s": item.to_timestamp_s,
        "sample_count": item.sample_count,
    }
    if item.samples is not None:
        attributes["samples"] = item.samples
    return resource(
        "Node-Timeseries",
        item.node_id,
        attributes,
        self_link=f"/api/v1/node-timeseries/{item.node_id}/",
    )


def installation_timeseries(item: InstallationTimeseries, now: datetime) -> JsonObject:
    """An installation's time series; ``samples`` only in the detail."""
    attributes: dict[str, Any] = {
        "node_id": str(item.node_id),
        "node_alias": item.node_alias,
        "query_timestamp_s": to_epoch(now),
        "from_timestamp_s": item.from_timestamp_s,
        "to_timestamp_s": item.to_timestamp_s,
        "sample_count": item.sample_count,
    }
    if item.samples is not None:
        attributes["samples"] = item.samples
    return resource(
        "Installation-Timeseries",
        item.installation_id,
        attributes,
        self_link=f"/api/v1/installation-timeseries/{item.installation_id}/",
    )
