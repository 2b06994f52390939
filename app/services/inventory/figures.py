"""The figures a node or installation detail shows of its sliced window.

Both details read the window's statistics alone, or (``include_timeseries``)
the samples with statistics derived from them in the same query.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.series.samples import (
    SampleObject,
    Window,
    WindowStats,
    samples_and_stats,
    window_stats,
)


def window_figures(
    session: Session, window: Window, with_samples: bool
) -> tuple[WindowStats, list[SampleObject] | None]:
    """Return the window's statistics, and its samples when ``with_samples``."""
    if with_samples:
        return samples_and_stats(session, window)
    (stats,) = window_stats(session, [window])
    return stats, None
