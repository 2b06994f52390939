"""Read models shared by the inventory services: rows with their sample figures."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Installation, Node
from app.services.series.samples import SampleObject
from app.services.series.stats import WindowStats
from app.services.series.window import Window


@dataclass(frozen=True)
class NodeView:
    """A node with its sample figures (detail: of the requested window)."""

    node: Node
    stats: WindowStats
    window: Window | None = None
    samples: list[SampleObject] | None = None
    fidelity: str | None = None


@dataclass(frozen=True)
class InstallationView:
    """An installation with the sample figures of its (sliced) window."""

    installation: Installation
    stats: WindowStats
    samples: list[SampleObject] | None = None
