"""Installations as JSON:API resource objects, with their sample figures."""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.jsonapi import JsonObject, absolute_url, resource, to_one
from app.services.inventory.views import InstallationView
from app.services.series.epoch import end_to_epoch, to_epoch


def image_url(name: str | None) -> str | None:
    """Return the absolute URL of a stored photo (``MEDIA_URL`` + name)."""
    if not name:
        return None
    return absolute_url(current_app.config["MEDIA_URL"] + name)


def installation_resource(
    view: InstallationView, query_timestamp_s: int, timeseries: object = None
) -> JsonObject:
    """Render an installation (type ``Installation``) in the reference's key order.

    ``from/to_timestamp_s`` are always the installation's own interval (open end
    ``2147483647``); ``sample_count`` and ``latest_sample`` (omitted when there
    is none) cover its window, sliced on detail requests. ``timeseries`` stands for
    the samples ``include_timeseries`` asked for, once they were read.
    """
    inst, stats = view.installation, view.stats
    attributes: dict[str, Any] = {
        "query_timestamp_s": query_timestamp_s,
        "from_timestamp_s": to_epoch(inst.from_time),
        "to_timestamp_s": end_to_epoch(inst.to_time),
        "sample_count": stats.count,
    }
    if stats.latest is not None:
        attributes["latest_sample"] = stats.latest
    attributes["description"] = inst.description
    attributes["image"] = image_url(inst.image)
    attributes["is_public"] = inst.is_public
    if timeseries is not None:
        attributes["timeseries"] = timeseries
    base = f"/api/v1/installations/{inst.id}"
    return resource(
        "Installation",
        inst.id,
        attributes,
        {
            "room": to_one("Room", inst.room_id, f"{base}/room/"),
            "node": to_one("Node", inst.node_id, f"{base}/node/"),
        },
        self_link=f"{base}/",
    )
