"""How a CO2 value reads: the German Federal Environment Agency's three bands.

Umweltbundesamt (2008), "Gesundheitliche Bewertung von Kohlendioxid in der
Innenraumluft": below 1000 ppm harmless, 1000-2000 ppm elevated, above 2000 ppm
unacceptable. The overview states the bands next to its badges.
"""

from __future__ import annotations

from enum import StrEnum

GOOD_BELOW_PPM = 1000
POOR_ABOVE_PPM = 2000


class Band(StrEnum):
    """The band of a CO2 value; ``NONE`` when there is no value to judge."""

    GOOD = "good"
    ELEVATED = "elevated"
    POOR = "poor"
    NONE = "none"


def band(co2_ppm: float | None) -> Band:
    """The band of ``co2_ppm`` (1000 and 2000 themselves are elevated)."""
    if co2_ppm is None:
        return Band.NONE
    if co2_ppm < GOOD_BELOW_PPM:
        return Band.GOOD
    if co2_ppm <= POOR_ABOVE_PPM:
        return Band.ELEVATED
    return Band.POOR
