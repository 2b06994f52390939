"""A window's raw samples as the reference serializes them.

A sample object is ``{timestamp_s, co2_ppm, temperature_celsius ("22.0" or
null), rel_humidity_percent, measurement_status}`` (Managair added a surrogate
``id``; samples here have none).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from psycopg.adapt import Loader
from psycopg.types.numeric import Int8BinaryLoader
from sqlalchemy.orm import Session

from app.services.series import sql
from app.services.series.extent import SeriesSource
from app.services.series.window import Window

#: Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC), from which a
#: binary ``timestamptz`` counts microseconds.
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PG_EPOCH_S = int(PG_EPOCH.timestamp())
US_PER_S = 1_000_000

#: How :data:`sql.SAMPLES_SQL` reads its times: as the 64-bit integer a binary
#: ``timestamptz`` is (microseconds since :data:`PG_EPOCH_S`), by psycopg's C loader
#: of ``bigint``. Epoch seconds computed by the server (``floor(date_part(...))``)
#: cost it 1.7 ms for a month of one node's samples (8,640 rows, the installation
#: detail's ``include_timeseries``), an integer division here less than half that.
WIRE_LOADERS: dict[str, type[Loader]] = {"timestamptz": Int8BinaryLoader}


class SampleObject(TypedDict):
    """Managair's serialized sample (its ``id`` is omitted: samples have none)."""

    timestamp_s: int
    co2_ppm: int
    temperature_celsius: str | None
    rel_humidity_percent: int | None
    measurement_status: str


def samples_in(
    session: Session, source: SeriesSource, window: Window
) -> list[SampleObject]:
    """The samples of ``source`` in ``window``, oldest first, as Managair renders them,
    in one list: for windows known to be short. The API's reads take them in chunks
    (:func:`sample_chunks`), whatever the window."""
    return [
        sample for chunk in sample_chunks(session, source, window) for sample in chunk
    ]


#: Samples per chunk of :func:`sample_chunks`: about 1.3 MB of JSON, 4 MB of objects.
CHUNK = 10_000


def sample_chunks(
    session: Session, source: SeriesSource, window: Window, size: int = CHUNK
) -> Iterator[list[SampleObject]]:
    """The samples of ``source`` in ``window``, oldest first, as Managair renders
    them, ``size`` at a time: the one read of a window's samples (the Managair
    time-series resources, ``include_timeseries`` of the node and installation
    details), for windows of any length."""
    if window.is_empty:
        return
    params = _params(source, window)
    # Most windows are one chunk: read it in one fetch, whose rows psycopg makes in
    # C (a stream makes them one by one in Python: 2 ms more for a month of 8,640).
    first = sql.fetch_all(
        session,
        sql.SAMPLES_FIRST_SQL,
        {**params, "limit": size},
        loaders=WIRE_LOADERS,
    )
    if first:
        yield _objects(first)
    if len(first) < size:
        return
    # The rest streamed, from just after the last sample read: a node's sample
    # times are unique, so nothing is read twice or left out.
    after = PG_EPOCH + timedelta(microseconds=first[-1][0] + 1)
    for rows in sql.fetch_chunks(
        session,
        sql.SAMPLES_SQL,
        {**params, "start": after},
        size=size,
        loaders=WIRE_LOADERS,
    ):
        yield _objects(rows)


class SampleChunks:
    """A window's samples, oldest first, read a chunk at a time as they are iterated
    (once, within the request); :attr:`count`, :attr:`first` and :attr:`last` are
    of those read so far."""

    def __init__(self, chunks: Iterator[list[SampleObject]]) -> None:
        self._chunks = chunks
        self.count = 0
        self.first: SampleObject | None = None
        self.last: SampleObject | None = None

    def __iter__(self) -> Iterator[list[SampleObject]]:
        for chunk in self._chunks:
            if chunk:
                self.count += len(chunk)
                self.first = self.first or chunk[0]
                self.last = chunk[-1]
            yield chunk


def chunks_in(session: Session, source: SeriesSource, window: Window) -> SampleChunks:
    """The samples of ``source`` in ``window`` as :class:`SampleChunks` (read when
    iterated): without bounds, a node's whole history."""
    return SampleChunks(sample_chunks(session, source, window))


def _params(source: SeriesSource, window: Window) -> dict[str, Any]:
    return {
        "node_id": source.node_id,
        "owner_id": source.owner_id,
        "start": window.start,
        "stop": window.stop,
    }


def _objects(rows: Iterable[Sequence[Any]]) -> list[SampleObject]:
    """Sample objects of ``SAMPLES_SQL``'s rows (times as :data:`WIRE_LOADERS` read them)."""
    return [
        {
            "timestamp_s": time_us // US_PER_S + PG_EPOCH_S,
            "co2_ppm": co2_ppm,
            "temperature_celsius": temperature,
            "rel_humidity_percent": humidity,
            "measurement_status": status,
        }
        for time_us, co2_ppm, temperature, humidity, status in rows
    ]


def sample_objects(rows: Iterable[Sequence[Any]]) -> list[SampleObject]:
    """Return sample objects of rows already in the API's terms.

    Each row is ``(timestamp_s, co2_ppm, temperature "22.0", humidity, status)``.
    """
    return [
        {
            "timestamp_s": timestamp_s,
            "co2_ppm": co2_ppm,
            "temperature_celsius": temperature,
            "rel_humidity_percent": humidity,
            "measurement_status": status,
        }
        for timestamp_s, co2_ppm, temperature, humidity, status in rows
    ]
