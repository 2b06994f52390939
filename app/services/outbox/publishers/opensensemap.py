"""openSenseMap: one senseBox per public installation, measurements in bulk.

* register: ``POST {OSEM_API_URL}/users/sign-in`` (``{"email", "password"}`` →
  ``token``), then ``POST /boxes`` with the bearer token: an indoor box at the
  site's coordinates with a CO2, a temperature and a humidity sensor. The
  answer's ``data._id``, ``data.access_token`` and the sensors' ``_id`` by
  title are stored.
* publish: ``POST /boxes/{box}/data`` with the box's access token in
  ``Authorization`` and a JSON array of ``{"sensor", "value", "createdAt"}``
  (at most 2,500 measurements per request; three per sample at most).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from app.services.outbox.publishers.base import (
    Batch,
    InstallationInfo,
    Publisher,
    PublishError,
    Registration,
    SampleOut,
    number,
)
from app.services.outbox.publishers.stadtpuls import sensor_name

# our key -> (title, unit) of the box's sensors
SENSORS = {
    "co2": ("CO2", "ppm"),
    "temperature": ("Temperature", "°C"),
    "humidity": ("Relative humidity", "%"),
}


def _created_at(sample: SampleOut) -> str:
    t = sample.time.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def measurements(sensors: dict[str, str], sample: SampleOut) -> list[dict[str, str]]:
    """The openSenseMap measurements of one sample (absent values left out)."""
    values = {
        "co2": sample.co2_ppm,
        "temperature": sample.temperature_celsius,
        "humidity": sample.rel_humidity_percent,
    }
    at = _created_at(sample)
    return [
        {"sensor": sensors[key], "value": str(value), "createdAt": at}
        for key, value in values.items()
        if value is not None
    ]


class OpenSenseMap(Publisher):
    """openSenseMap, the senseBox community's open sensor platform."""

    name = "opensensemap"
    max_batch = 800

    def _url(self, path: str) -> str:
        return f"{self.settings['OSEM_API_URL']}{path}"

    def register(self, installation: InstallationInfo) -> Registration:
        """Sign in and create the installation's senseBox."""
        lat, lng = number(installation.latitude), number(installation.longitude)
        if lat is None or lng is None:
            raise PublishError(
                "opensensemap: the site's address has no coordinates; "
                "a senseBox needs a location",
                permanent=True,
            )
        signed_in = self.answer(
            self.post(
                self._url("/users/sign-in"),
                json={
                    "email": self.settings["OSEM_EMAIL"],
                    "password": self.settings["OSEM_PASSWORD"],
                },
            )
        )
        token = signed_in.get("token") if isinstance(signed_in, dict) else None
        if not token:
            raise PublishError("opensensemap: sign-in answer lacks a token")
        created = self.answer(
            self.post(
                self._url("/boxes"),
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "name": sensor_name(installation),
                    "exposure": "indoor",
                    "location": {"lat": lat, "lng": lng},
                    "sensors": [
                        {
                            "title": title,
                            "unit": unit,
                            "sensorType": installation.sensor_type,
                        }
                        for title, unit in SENSORS.values()
                    ],
                },
            )
        )
        return self._registration(created)

    def _registration(self, created: Any) -> Registration:
        try:
            data = created["data"]
            by_title = {s["title"]: str(s["_id"]) for s in data["sensors"]}
            sensors = {key: by_title[title] for key, (title, _) in SENSORS.items()}
            return Registration(
                str(data["_id"]),
                {"sensors": sensors, "access_token": data.get("access_token")},
            )
        except (KeyError, TypeError):
            raise PublishError(
                "opensensemap: box answer lacks data._id or the sensors' ids"
            ) from None

    def publish(self, batch: Batch) -> None:
        """Post the batch's values to the installation's senseBox."""
        if batch.registration is None:
            raise PublishError("opensensemap: installation is not registered")
        meta = batch.registration.meta
        sensors: dict[str, str] = dict(meta["sensors"])
        token = meta.get("access_token")
        self.post(
            self._url(f"/boxes/{batch.registration.remote_id}/data"),
            headers={"Authorization": str(token)} if token else None,
            json=[m for s in batch.samples for m in measurements(sensors, s)],
        )
