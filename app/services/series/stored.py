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
from datetime import UTC, datetime

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


def month_floor(moment: datetime) -> datetime:
    """The start of the UTC month of ``moment`` (``samples_1mo``'s buckets)."""
    utc = moment.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(month: datetime) -> datetime:
    """The start of the UTC month after the one starting at ``month``."""
    if month.month == 12:
        return month.replace(year=month.year + 1, month=1)
    return month.replace(month=month.month + 1)


def whole_months(days: Window, watermark: datetime | None) -> Window:
    """The whole UTC months of ``days`` stored below ``watermark`` (may be empty).

    ``days`` is a span of whole stored days; the months are read from
    ``samples_1mo`` and the days around them from ``samples_1d``.
    """
    start = month_floor(days.start)
    if start < days.start:
        start = next_month(start)
    if watermark is None:
        return Window(days.stop, days.stop)
    stop = month_floor(min(days.stop, watermark))
    if stop <= start:
        return Window(days.stop, days.stop)
    return Window(start, stop)
