"""The figures a node or installation detail shows of its sliced window.

Both details read the window's statistics alone, or (``include_timeseries``)
the samples with statistics derived from them in the same query.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.series.extent import SeriesSource
from app.services.series.samples import SampleObject
from app.services.series.stats import WindowStats, samples_and_stats, window_stats
from app.services.series.window import Window


def window_figures(
    session: Session,
    source: SeriesSource,
    window: Window,
    *,
    with_samples: bool,
    with_first: bool = False,
) -> tuple[WindowStats, list[SampleObject] | None]:
    """Return the window's statistics, and its samples when ``with_samples``.

    ``with_first`` also finds the oldest sample's time when only statistics are
    read (the node detail shows it; the installation detail does not).
    """
    if with_samples:
        return samples_and_stats(session, source, window)
    (stats,) = window_stats(session, [(source.node_id, window)], with_first=with_first)
    return stats, None
