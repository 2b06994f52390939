"""What every decoder takes and returns: an uplink frame in, chronological readings out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_DATA_RATE = "SF9BW125"


class DecodeError(ValueError):
    """The payload does not follow the decoder's byte layout; the message says how."""


@dataclass(frozen=True)
class Uplink:
    """One LoRaWAN uplink as the decoders need it.

    Attributes:
        payload: the application payload (``frm_payload`` decoded from base64).
        received_at: the network server's receive time, epoch seconds with fraction.
        f_port: the LoRaWAN port.
        data_rate: the modulation as ``SF<n>BW<kHz>`` (Clairchen derives its sample
            spacing from it); ``SF9BW125`` when the network server reports none.
    """

    payload: bytes
    received_at: float
    f_port: int = 5
    data_rate: str = DEFAULT_DATA_RATE

    @property
    def rx_s(self) -> int:
        """The receive time rounded to whole seconds, as clair-ttn rounds it."""
        return round(self.received_at)


@dataclass(frozen=True)
class Reading:
    """One decoded sample, normalised as clair-ttn posts it (contract §3.4)."""

    timestamp_s: int
    co2_ppm: int
    temperature_celsius: Decimal | None = None
    rel_humidity_percent: int | None = None


Decoder = Callable[[Uplink], list[Reading]]


def normalised(
    timestamp_s: int,
    co2_ppm: int,
    temperature: Decimal | None,
    humidity: Decimal | int | None,
) -> Reading:
    """Apply clair-ttn's normalisation: humidity rounded, zero or absent T/H omitted.

    clair-ttn drops a temperature or humidity of exactly 0 through a truthiness
    check; the same samples are produced here so both paths store identical rows.
    """
    rounded = round(humidity) if humidity else None
    return Reading(
        timestamp_s=timestamp_s,
        co2_ppm=co2_ppm,
        temperature_celsius=temperature if temperature else None,
        rel_humidity_percent=rounded if rounded else None,
    )
