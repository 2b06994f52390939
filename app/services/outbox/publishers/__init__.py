"""Publishers of public samples to IoT data platforms, by name.

Enabled by ``IOTDP_INTEGRATION=1`` plus ``IOTDP_PUBLISHERS`` (``config.py``
checks that each enabled one has its settings). Ingest queues rows for
:func:`enabled_names`; the delivery job builds the publishers with :func:`build`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from app.services.outbox.publishers.base import (
    Batch,
    InstallationInfo,
    Publisher,
    PublishError,
    Registration,
    SampleOut,
)
from app.services.outbox.publishers.opensensemap import OpenSenseMap
from app.services.outbox.publishers.stadtpuls import Stadtpuls
from app.services.outbox.publishers.webhook import Webhook

PUBLISHERS: dict[str, type[Publisher]] = {
    cls.name: cls for cls in (Stadtpuls, OpenSenseMap, Webhook)
}


def enabled_names(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The publishers that get outbox rows: none unless ``IOTDP_INTEGRATION``."""
    if not config.get("IOTDP_INTEGRATION"):
        return ()
    return tuple(config.get("IOTDP_PUBLISHERS", ()))


def build(
    names: Sequence[str], config: Mapping[str, Any], client: httpx.Client
) -> list[Publisher]:
    """Instantiate the named publishers with the settings and an HTTP client.

    Raises:
        KeyError: an unknown name (``config.py`` refuses those at start-up).
    """
    return [PUBLISHERS[name](config, client) for name in names]


def http_client(timeout_s: float) -> httpx.Client:
    """An HTTP client whose every phase (connect, read, write, pool) times out.

    It keeps no connection alive between calls: a call's time limit over all
    its phases (:class:`~.deadline.Deadline`) sees the connections it opens.
    """
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_keepalive_connections=0),
        headers={"User-Agent": "airq-publisher/1"},
        follow_redirects=False,
    )


__all__ = [
    "PUBLISHERS",
    "Batch",
    "InstallationInfo",
    "PublishError",
    "Publisher",
    "Registration",
    "SampleOut",
    "build",
    "enabled_names",
    "http_client",
]
