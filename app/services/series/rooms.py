"""The series of a room: one line per visible installation, on one time axis.

A room with several sensors is drawn as several lines in one chart, and a chart
makes one request. Every installation is read like its own series (clipped to
its interval, same query); when ``auto`` picks different resolutions for them
(a short installation may be read raw, a long one in hours), all are read again
at the coarsest of those, so the lines share one bucket grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import Installation, Room
from app.services import access
from app.services.access import Actor
from app.services.series.downsampled import (
    RESOLUTIONS,
    Series,
    SeriesQuery,
    read_series,
)
from app.services.series.timeseries import installation_source
from app.services.series.window import Window, installation_window

#: Finest first; ``auto`` is not a resolution an answer has.
_ORDER = RESOLUTIONS[:-1]


@dataclass(frozen=True)
class RoomLine:
    """One installation's line: who measured and the series it measured."""

    installation: Installation
    series: Series


@dataclass(frozen=True)
class RoomSeries:
    """The lines of a room on one grid (``timestamps_s``; ``None`` where a line has
    no bucket)."""

    resolution: str
    tz: str
    query: SeriesQuery
    timestamps_s: list[int] = field(default_factory=list)
    lines: list[RoomLine] = field(default_factory=list)
    #: What the answer covers: ``query.window`` unless auto kept a line's newest days.
    window: Window | None = None

    def column(self, line: RoomLine, name: str) -> list[object]:
        """``line``'s column ``name`` spread over the shared grid."""
        at = dict(zip(line.series.timestamps_s, line.series.columns[name], strict=True))
        return [at.get(stamp) for stamp in self.timestamps_s]


def room_series(
    session: Session,
    actor: Actor,
    room_id: int,
    query: SeriesQuery,
    reads: Session | None = None,
) -> RoomSeries:
    """The series of every installation of a visible room the actor may see in
    ``query.window`` (anonymous callers: the public ones), oldest first.

    Raises:
        NotFoundError: no such room, or invisible to the actor.
        ValidationError: the resolution gives too many points.
    """
    room = access.get_visible(session, actor, Room, room_id)
    window = query.window
    stmt = (
        select(Installation)
        .options(joinedload(Installation.node))
        .where(
            Installation.room_id == room.id,
            Installation.from_time < window.stop,
            or_(Installation.to_time.is_(None), Installation.to_time >= window.start),
        )
        .order_by(Installation.from_time, Installation.id)
    )
    installations = session.scalars(access.scoped(stmt, Installation, actor)).all()
    lines = [_line(reads or session, i, query) for i in installations]
    lines = [line for line in lines if line.series.timestamps_s]
    resolutions = {line.series.resolution for line in lines}
    if len(resolutions) > 1:
        # Lines already at the coarsest keep their answer (auto may have cut a line
        # to its newest days; read again as plain 1d it would exceed max_points).
        coarsest = max(resolutions, key=_ORDER.index)
        fixed = replace(query, resolution=coarsest)
        lines = [
            line
            if line.series.resolution == coarsest
            else _line(reads or session, line.installation, fixed)
            for line in lines
        ]
    stamps = sorted({s for line in lines for s in line.series.timestamps_s})
    resolution = lines[0].series.resolution if lines else query.resolution
    return RoomSeries(resolution, query.tz, query, stamps, lines, _window(query, lines))


def _window(query: SeriesQuery, lines: list[RoomLine]) -> Window:
    """The query's window; when auto cut a line to its newest days, it starts at the
    earliest start of any line (so ``from_timestamp_s`` shows what was left out)."""
    cut = any(
        line.series.window.start > _clipped(query, line.installation).start
        for line in lines
    )
    if not cut:
        return query.window
    return Window(min(line.series.window.start for line in lines), query.window.stop)


def _clipped(query: SeriesQuery, installation: Installation) -> Window:
    return query.window.clip(installation_window(installation))


def _line(session: Session, installation: Installation, query: SeriesQuery) -> RoomLine:
    window = _clipped(query, installation)
    series = read_series(
        session, installation_source(installation), replace(query, window=window)
    )
    return RoomLine(installation, series)
