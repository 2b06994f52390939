"""Rooms as JSON:API resource objects."""

from __future__ import annotations

from decimal import Decimal

from app.jsonapi import JsonObject, resource, to_many, to_one
from app.models import Room


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def room_resource(room: Room) -> JsonObject:
    """Render a room (type ``Room``); sizes as 1-place strings (``"33.0"``)."""
    base = f"/api/v1/rooms/{room.id}"
    return resource(
        "Room",
        room.id,
        {
            "name": room.name,
            "description": room.description,
            "size_sqm": _decimal(room.size_sqm),
            "height_m": _decimal(room.height_m),
            "max_occupancy": room.max_occupancy,
        },
        {
            "site": to_one("Site", room.site_id, f"{base}/site/"),
            "installations": to_many(None, related=f"{base}/installations/"),
        },
        self_link=f"{base}/",
    )
