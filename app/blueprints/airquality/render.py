"""The ``room-airquality`` resource object."""

from __future__ import annotations

from typing import Any

from app.jsonapi import JsonObject, resource
from app.services.airquality import DayMetrics, RoomAirQuality

TYPE = "room-airquality"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _epoch(moment: Any) -> int:
    return int(moment.timestamp())


def day_object(day: DayMetrics) -> JsonObject:
    """Render one row of the daily table."""
    return {
        "date": day.date.isoformat(),
        "from_timestamp_s": _epoch(day.start),
        "to_timestamp_s": _epoch(day.end),
        "is_valid": day.is_valid,
        "gap_duration_s": day.gap_duration_s,
        "max_co2_ppm": _round(day.max_co2_ppm),
        "mean_co2_ppm": _round(day.mean_co2_ppm),
        "excess_duration_s": day.excess_duration_s,
        "excess_score": _round(day.excess_score),
    }


def airquality_resource(result: RoomAirQuality, query_timestamp_s: int) -> JsonObject:
    """Render the indicator of a room; ``links.self`` is the room, as in Managair."""
    attributes: JsonObject = {
        "query_timestamp_s": query_timestamp_s,
        "from_timestamp_s": result.period.start_s,
        "to_timestamp_s": result.period.end_s,
        "clean_air_medal": result.clean_air_medal,
    }
    if result.histogram is not None:
        attributes["airq_hist"] = {
            weekday: [round(mean, 2) for mean in means]
            for weekday, means in result.histogram.items()
        }
    if result.days is not None:
        attributes["airq_days"] = [day_object(day) for day in result.days]
    return resource(
        TYPE, result.room_id, attributes, self_link=f"/api/v1/rooms/{result.room_id}/"
    )
