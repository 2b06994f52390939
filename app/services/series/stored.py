"""Stored buckets plus raw edges: how every read of many samples stays cheap.

A window is read as the whole buckets of a stored level (``samples_10m``, ``_1h``,
``_1d``, ``_1d_local``) below that level's watermark (``series_watermark(level)``),
plus raw samples in the ragged edges before and after them (the part after them
includes the fresh tail above the watermark). The series read model, its extent and
the sample statistics of the lists and details all split their windows here, so the
three agree on where stored data ends and raw data begins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.services.series import buckets as tb
from app.services.series.window import Window


@dataclass(frozen=True)
class Split:
    """A window as ``before + stored + after``, three adjacent half-open windows.

    Attributes:
        before: raw samples from the window's start to the first stored bucket.
        stored: whole stored buckets below the watermark (empty: none).
        after: raw samples from the end of the stored buckets to the window's end.
    """

    before: Window
    stored: Window
    after: Window

    @property
    def raw(self) -> tuple[Window, ...]:
        """The raw parts that hold any instant, in time order."""
        return tuple(w for w in (self.before, self.after) if not w.is_empty)


def split(window: Window, whole: Window, watermark: datetime | None) -> Split:
    """Split ``window`` at its whole stored buckets below ``watermark``.

    Args:
        window: the window read.
        whole: the span of the window's whole buckets of the level (from the first
            bucket start at or after ``window.start`` to the last one at or before
            ``window.stop``).
        watermark: the level is complete below this (None: nothing stored yet).

    Returns:
        The split; without stored buckets the whole window is ``before``.
    """
    stop = whole.start if watermark is None else min(whole.stop, watermark)
    if whole.start < stop:
        return Split(
            Window(window.start, whole.start),
            Window(whole.start, stop),
            Window(stop, window.stop),
        )
    nothing = Window(window.stop, window.stop)
    return Split(window, nothing, nothing)


def split_utc(window: Window, seconds: int, watermark: datetime | None) -> Split:
    """Split ``window`` at the whole ``seconds``-wide UTC buckets below ``watermark``."""
    whole = Window(tb.ceil(window.start, seconds), tb.floor(window.stop, seconds))
    return split(window, whole, watermark)
