"""Regular sample series written fast (COPY) into the test's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

Co2 = int | Callable[[datetime], int]


def insert_series(
    session: Session,
    node_id: uuid.UUID,
    start: datetime,
    stop: datetime,
    step: timedelta = timedelta(minutes=5),
    co2_ppm: Co2 = 500,
) -> int:
    """Store a sample of ``node_id`` every ``step`` from ``start`` up to ``stop`` inclusive.

    Args:
        session: the test's session; the rows join its transaction.
        node_id: the node.
        start: first sample time, aware.
        stop: no sample after this time.
        step: spacing.
        co2_ppm: a constant, or a function of the sample time.

    Returns:
        The number of samples written.
    """
    value = co2_ppm if callable(co2_ppm) else (lambda _t: co2_ppm)
    session.flush()
    driver = session.connection().connection.driver_connection
    assert driver is not None
    written = 0
    with (
        driver.cursor() as cursor,
        cursor.copy("COPY samples (time, node_id, co2_ppm) FROM STDIN") as copy,
    ):
        # UTC: adding to a zone-aware time would step wall-clock time across DST.
        moment, stop = start.astimezone(UTC), stop.astimezone(UTC)
        while moment <= stop:
            copy.write_row((moment, node_id, value(moment)))
            moment += step
            written += 1
    return written
