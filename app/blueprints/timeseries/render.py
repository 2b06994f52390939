"""``Node-Timeseries`` and ``Installation-Timeseries`` resource objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.jsonapi import JsonObject, resource
from app.services.series.epoch import to_epoch
from app.services.series.timeseries import InstallationTimeseries, NodeTimeseries


def node_timeseries(
    item: NodeTimeseries, now: datetime, samples: object = None
) -> JsonObject:
    """A node's time series; ``samples`` (what stands for them in the document)
    only in the detail, after they were read."""
    return _timeseries(
        "Node-Timeseries", "node-timeseries", item.node_id, {}, item, now, samples
    )


def installation_timeseries(
    item: InstallationTimeseries, now: datetime, samples: object = None
) -> JsonObject:
    """An installation's time series; ``samples`` as for :func:`node_timeseries`."""
    return _timeseries(
        "Installation-Timeseries",
        "installation-timeseries",
        item.installation_id,
        {"node_id": str(item.series.node_id)},
        item.series,
        now,
        samples,
    )


def _timeseries(
    type_: str,
    collection: str,
    id_: Any,
    lead: dict[str, Any],
    item: NodeTimeseries,
    now: datetime,
    samples: object,
) -> JsonObject:
    """Both resources: ``lead`` attributes first, then the reference's common ones."""
    attributes: dict[str, Any] = {
        **lead,
        "node_alias": item.node_alias,
        "query_timestamp_s": to_epoch(now),
        "from_timestamp_s": item.from_timestamp_s,
        "to_timestamp_s": item.to_timestamp_s,
        "sample_count": item.count,
    }
    if samples is not None:
        attributes["samples"] = samples
    return resource(type_, id_, attributes, self_link=f"/api/v1/{collection}/{id_}/")
