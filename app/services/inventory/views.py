"""Read models shared by the inventory services: rows with their sample figures."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Installation, Node
from app.services.series.samples import SampleChunks
from app.services.series.stats import WindowStats, stats_of
from app.services.series.window import Window


class _Figures:
    """Figures read from the database, or (``include_timeseries``) the samples they
    are counted from: :attr:`stats` is then valid once the samples were read."""

    figures: WindowStats | SampleChunks

    @property
    def stats(self) -> WindowStats:
        """The window's sample statistics."""
        if isinstance(self.figures, WindowStats):
            return self.figures
        return stats_of(self.figures)

    @property
    def samples(self) -> SampleChunks | None:
        """The window's samples, if the detail asked for them."""
        return None if isinstance(self.figures, WindowStats) else self.figures


@dataclass(frozen=True)
class NodeView(_Figures):
    """A node with its sample figures (detail: of the requested window)."""

    node: Node
    figures: WindowStats | SampleChunks
    window: Window | None = None
    fidelity: str | None = None


@dataclass(frozen=True)
class InstallationView(_Figures):
    """An installation with the sample figures of its (sliced) window."""

    installation: Installation
    figures: WindowStats | SampleChunks
