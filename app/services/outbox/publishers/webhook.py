"""Webhook: POST each batch as JSON to ``WEBHOOK_URL``, signed with HMAC-SHA256.

Headers: ``X-Airq-Signature-256: sha256=<hex HMAC of the raw body under
WEBHOOK_SECRET>`` (GitHub's scheme: verify with a constant-time comparison),
``X-Airq-Event: samples`` and ``X-Airq-Delivery`` (a fresh id per request).
Any 2xx answer accepts the batch. A receiver that may see a batch twice (after
a lost answer) de-duplicates on ``(installation.node, samples[].timestamp_s)``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from app.services.outbox.publishers.base import (
    Batch,
    InstallationInfo,
    Publisher,
    Registration,
    number,
)

SIGNATURE_HEADER = "X-Airq-Signature-256"


def signature(secret: str, body: bytes) -> str:
    """The signature header value of ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(batch: Batch) -> dict[str, Any]:
    """The JSON document of a batch."""
    inst = batch.installation
    return {
        "installation": {
            "id": str(inst.id),
            "node": str(inst.node_id),
            "room": inst.room_name,
            "site": inst.site_name,
            "city": inst.city,
        },
        "samples": [
            {
                "timestamp_s": s.timestamp_s,
                "co2_ppm": s.co2_ppm,
                "temperature_celsius": number(s.temperature_celsius),
                "rel_humidity_percent": s.rel_humidity_percent,
            }
            for s in batch.samples
        ],
    }


class Webhook(Publisher):
    """Any HTTP endpoint that accepts signed JSON batches."""

    name = "webhook"
    needs_registration = False
    max_batch = 1000

    def register(self, installation: InstallationInfo) -> Registration:
        """Nothing to register: the receiver learns installations from the batches."""
        return Registration(str(installation.id))

    def publish(self, batch: Batch) -> None:
        """POST the signed batch."""
        body = json.dumps(payload(batch), separators=(",", ":")).encode("utf-8")
        self.post(
            self.settings["WEBHOOK_URL"],
            content=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature(self.settings["WEBHOOK_SECRET"], body),
                "X-Airq-Event": "samples",
                "X-Airq-Delivery": str(uuid.uuid4()),
            },
        )
