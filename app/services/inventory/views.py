"""Read models shared by the inventory services: rows with their sample figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import Installation, Node
from app.services.series.epoch import from_epoch
from app.services.series.samples import SampleObject, Window, WindowStats


@dataclass(frozen=True)
class TimeSlice:
    """``filter[from]``/``filter[to]`` of a detail request, in epoch seconds.

    Attributes:
        from_s: lower bound (None: 0).
        to_s: upper bound (None: the request time).
        with_samples: ``include_timeseries`` asked for the samples.
    """

    from_s: int | None = None
    to_s: int | None = None
    with_samples: bool = False


@dataclass(frozen=True)
class NodeView:
    """A node with its sample figures (detail: of the requested slice)."""

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


def node_window(node: Node, time_slice: TimeSlice, now: datetime) -> Window:
    """Return ``[filter[from] or 0, filter[to] or now]`` of a node."""
    start = from_epoch(time_slice.from_s or 0)
    end = now if time_slice.to_s is None else from_epoch(time_slice.to_s)
    return Window(node.id, start, end)


def installation_window(
    inst: Installation, time_slice: TimeSlice | None, now: datetime
) -> Window:
    """Return an installation's window, clipped to the slice on detail requests.

    Lists use the installation's own ``[from, to]``; a detail request uses
    ``[max(from, filter[from] or 0), min(to, filter[to] or now)]``.
    """
    if time_slice is None:
        return Window(inst.node_id, inst.from_time, inst.to_time)
    start = max(inst.from_time, from_epoch(time_slice.from_s or 0))
    end = now if time_slice.to_s is None else from_epoch(time_slice.to_s)
    if inst.to_time is not None:
        end = min(end, inst.to_time)
    return Window(inst.node_id, start, end)
