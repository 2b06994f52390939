"""The figures a node or installation detail shows of its sliced window.

Both details read the window's statistics alone, or (``include_timeseries``) the
samples, a chunk at a time, with statistics counted from them as they are read.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.series.extent import SeriesSource
from app.services.series.samples import SampleChunks, chunks_in
from app.services.series.stats import WindowStats, window_stats
from app.services.series.window import Window


def window_figures(
    session: Session,
    source: SeriesSource,
    window: Window,
    *,
    with_samples: bool,
    with_first: bool = False,
) -> WindowStats | SampleChunks:
    """Return the window's statistics, or its samples when ``with_samples`` (their
    statistics follow once they were read: :func:`~app.services.series.stats.stats_of`).

    ``with_first`` also finds the oldest sample's time when only statistics are
    read (the node detail shows it; the installation detail does not).
    """
    if with_samples:
        return chunks_in(session, source, window)
    (stats,) = window_stats(session, [(source.node_id, window)], with_first=with_first)
    return stats
