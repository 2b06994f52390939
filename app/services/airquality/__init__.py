"""Room air quality (Managair §5.15, §6.2): the clean-air medal and CO2 profile.

``room_air_quality`` is the entry point; the modules are the pipeline's steps:
``period`` (month or past 30 days, local time), ``sources`` (visible
installations, clipped), ``grid`` (10-minute grid from raw samples, SQL +
numpy), ``metrics`` (days, hours, medal, weekday profile) and ``rules`` (the
constants).
"""

from app.services.airquality.period import Period, YearMonth
from app.services.airquality.service import (
    AirQualityQuery,
    DayMetrics,
    RoomAirQuality,
    room_air_quality,
)

__all__ = [
    "AirQualityQuery",
    "DayMetrics",
    "Period",
    "RoomAirQuality",
    "YearMonth",
    "room_air_quality",
]
