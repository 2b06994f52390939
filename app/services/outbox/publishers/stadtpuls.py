"""Stadtpuls (Managair §7.3): a Supabase sensor per installation, CO2 records.

Protocol, as the reference spoke it:

1. login: ``POST {SP_LOGIN_ENDPOINT}?grant_type=password`` with header
   ``apikey`` and ``{"email", "password"}`` → ``access_token``, ``user.id``
   (a fresh login per registration; tokens are not kept);
2. register: ``POST {SP_SENSOR_ENDPOINT}`` with ``apikey``, the bearer token and
   ``prefer: return=representation``; the body names the sensor
   ``"<alias> in <room>"`` (at most 50 characters; the reference cut at 49),
   describes the installation in TOML and gives its location; the new id is
   ``response[0].id``;
3. records: ``POST {SP_RECORDS_ENDPOINT}/{id}/records`` with the static
   ``SP_AUTH_TOKEN`` and ``{"records": [{"recorded_at", "measurements": [co2]}]}``;
   only CO2 is forwarded. The reference sent one record per request; a batch
   sends several in one.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from app.services.outbox.publishers.base import (
    Batch,
    InstallationInfo,
    Publisher,
    PublishError,
    Registration,
    number,
)

NAME_MAX = 50
CATEGORY_CO2 = 1


def description(inst: InstallationInfo) -> str:
    """The TOML document that describes an installation (keys without value left out)."""

    def present(**items: Any) -> dict[str, Any]:
        return {k: v for k, v in items.items() if v is not None}

    doc = {
        "id": str(inst.node_id),
        "eui64": inst.node_eui64,
        "alias": inst.node_alias,
        "owner": inst.owner,
        "model": {"manufacturer": inst.manufacturer, "type": inst.trade_name},
        "room": present(
            name=inst.room_name,
            description=inst.room_description,
            size_sqm=number(inst.room_size_sqm),
            height_m=number(inst.room_height_m),
        ),
        "site": present(
            name=inst.site_name,
            description=inst.site_description,
            street=inst.street,
            zip=inst.zip,
            city=inst.city,
        ),
    }
    return tomli_w.dumps(doc)


def sensor_name(inst: InstallationInfo) -> str:
    """``"<alias> in <room>"``, cut to Stadtpuls' 50 characters."""
    return f"{inst.node_alias} in {inst.room_name}"[:NAME_MAX]


class Stadtpuls(Publisher):
    """The Stadtpuls IoT data platform of the Technologiestiftung Berlin."""

    name = "stadtpuls"
    max_batch = 500

    def _login(self) -> tuple[str, str]:
        response = self.post(
            self.settings["SP_LOGIN_ENDPOINT"],
            params={"grant_type": "password"},
            headers={"apikey": self.settings["SP_API_KEY"]},
            json={
                "email": self.settings["SP_LOGIN_EMAIL"],
                "password": self.settings["SP_LOGIN_PWD"],
            },
        )
        body = self.answer(response)
        try:
            return str(body["access_token"]), str(body["user"]["id"])
        except (KeyError, TypeError):
            raise PublishError("stadtpuls: login answer lacks access_token") from None

    def register(self, installation: InstallationInfo) -> Registration:
        """Log in and create the installation's sensor."""
        token, user_id = self._login()
        response = self.post(
            self.settings["SP_SENSOR_ENDPOINT"],
            headers={
                "apikey": self.settings["SP_API_KEY"],
                "Authorization": f"Bearer {token}",
                "prefer": "return=representation",
            },
            json={
                "name": sensor_name(installation),
                "description": description(installation),
                "connection_type": "http",
                "location": installation.city,
                "longitude": number(installation.longitude),
                "latitude": number(installation.latitude),
                "user_id": user_id,
                "category_id": CATEGORY_CO2,
            },
        )
        body = self.answer(response)
        try:
            return Registration(str(int(body[0]["id"])))
        except (KeyError, IndexError, TypeError, ValueError):
            raise PublishError("stadtpuls: sensor answer lacks [0].id") from None

    def publish(self, batch: Batch) -> None:
        """Post the batch's CO2 values as records of the installation's sensor."""
        if batch.registration is None:
            raise PublishError("stadtpuls: installation is not registered")
        base = self.settings["SP_RECORDS_ENDPOINT"]
        self.post(
            f"{base}/{batch.registration.remote_id}/records",
            headers={"Authorization": f"Bearer {self.settings['SP_AUTH_TOKEN']}"},
            json={
                "records": [
                    {"recorded_at": s.iso(), "measurements": [s.co2_ppm]}
                    for s in batch.samples
                ]
            },
        )
