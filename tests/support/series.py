"""Test data and an independent reference for the series read model.

The reference groups raw samples in Python (``datetime`` arithmetic and zoneinfo),
not with the SQL under test, so the two can disagree when either is wrong.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.series import buckets as tb
from app.services.series.epoch import to_epoch

QUANTITY_INDEX = {"co2_ppm": 1, "temperature_celsius": 2, "rel_humidity_percent": 3}


@dataclass(frozen=True)
class Row:
    """One sample: time, CO2, temperature (or None), humidity (or None)."""

    time: datetime
    co2_ppm: int
    temperature_celsius: Decimal | None
    rel_humidity_percent: int | None


def irregular_rows(
    start: datetime, end: datetime, seed: int, step_s: int = 300
) -> list[Row]:
    """Samples about every ``step_s`` seconds with jitter, gaps and missing values.

    Some samples sit exactly on 10-minute boundaries, some temperatures and
    humidities are missing, and now and then an hour is skipped.
    """
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    rows = []
    moment = start
    while moment < end:
        if rng.random() < 0.02:
            moment += timedelta(hours=1)
        temperature = (
            None if rng.random() < 0.1 else Decimal(rng.randint(-200, 400)) / 10
        )
        humidity = None if rng.random() < 0.1 else rng.randint(0, 100)
        rows.append(Row(moment, rng.randint(350, 3000), temperature, humidity))
        jitter = 0 if rng.random() < 0.3 else rng.randint(-120, 120)
        moment += timedelta(seconds=max(1, step_s + jitter))
    return rows


def insert_rows(session: Session, node_id: uuid.UUID, rows: Sequence[Row]) -> None:
    """Insert ``rows`` for ``node_id``, 500 per statement.

    PGlite (the TSL test server) dies on protocol messages over 64 KiB, so no
    statement may carry more.
    """
    statement = text(
        "INSERT INTO samples (time, node_id, co2_ppm, temperature_celsius, "
        "rel_humidity_percent) SELECT t, :node_id, c, tc, h FROM unnest("
        "CAST(:times AS timestamptz[]), CAST(:co2 AS smallint[]), "
        "CAST(:temps AS numeric[]), CAST(:hums AS smallint[])) AS x(t, c, tc, h)"
    )
    for first in range(0, len(rows), 500):
        batch = rows[first : first + 500]
        session.execute(
            statement,
            {
                "node_id": node_id,
                "times": [r.time for r in batch],
                "co2": [r.co2_ppm for r in batch],
                "temps": [r.temperature_celsius for r in batch],
                "hums": [r.rel_humidity_percent for r in batch],
            },
        )


def stored_rows(session: Session, node_id: uuid.UUID) -> list[Row]:
    """Every sample of the node as stored, oldest first."""
    result = session.execute(
        text(
            "SELECT time, co2_ppm, temperature_celsius, rel_humidity_percent "
            "FROM samples WHERE node_id = :node_id ORDER BY time"
        ),
        {"node_id": node_id},
    )
    return [Row(*row) for row in result]


def utc_key(seconds: int) -> Callable[[datetime], Hashable]:
    """Group by UTC bucket of ``seconds``: the bucket's epoch seconds."""
    return lambda t: to_epoch(tb.floor(t, seconds))


def day_key(zone: ZoneInfo) -> Callable[[datetime], Hashable]:
    """Group by local date in ``zone``."""
    return lambda t: t.astimezone(zone).date()


def reference(
    rows: Iterable[Row],
    start: datetime,
    end: datetime,
    key: Callable[[datetime], Hashable],
    quantities: Sequence[str],
    aggregates: Sequence[str],
) -> dict[Hashable, dict[str, Any]]:
    """Aggregates per bucket of the samples with ``start <= time <= end``."""
    groups: dict[Hashable, list[Row]] = {}
    for row in rows:
        if start <= row.time <= end:
            groups.setdefault(key(row.time), []).append(row)
    result: dict[Hashable, dict[str, Any]] = {}
    for bucket, members in groups.items():
        values: dict[str, Any] = {}
        for q in quantities:
            present = [getattr(m, q) for m in members if getattr(m, q) is not None]
            for agg in aggregates:
                values[f"{q}_{agg}"] = _aggregate(agg, present)
        result[bucket] = values
    return result


def _aggregate(aggregate: str, values: list[Any]) -> Any:
    if aggregate == "count":
        return len(values)
    if not values:
        return None
    if aggregate == "avg":
        return float(sum(Decimal(v) for v in values) / len(values))
    return float(min(values) if aggregate == "min" else max(values))


def assert_series_matches(
    actual: dict[Hashable, dict[str, Any]], expected: dict[Hashable, dict[str, Any]]
) -> None:
    """Equal non-empty buckets and values; averages within the 2-decimal rounding."""
    actual, expected = _nonempty(actual), _nonempty(expected)
    assert set(actual) == set(expected)
    for bucket, values in expected.items():
        for name, value in values.items():
            got = actual[bucket][name]
            if value is None or got is None:
                assert got == value, (bucket, name, got, value)
            elif name.endswith("_avg"):
                close = math.isclose(got, value, abs_tol=0.005 + 1e-9)
                assert close, (bucket, name, got, value)
            else:
                assert got == value, (bucket, name, got, value)


def _nonempty(
    buckets: dict[Hashable, dict[str, Any]],
) -> dict[Hashable, dict[str, Any]]:
    """Drop buckets without data (every count 0, every other value None)."""
    return {
        bucket: values
        for bucket, values in buckets.items()
        if any(
            (v > 0) if name.endswith("_count") else (v is not None)
            for name, v in values.items()
        )
    }


def by_bucket(
    timestamps: Sequence[int],
    columns: dict[str, list[Any]],
    key: Callable[[int], Hashable] = lambda s: s,
) -> dict[Hashable, dict[str, Any]]:
    """Columnar series → ``{bucket: {column: value}}`` (numbers as floats, not counts)."""
    result: dict[Hashable, dict[str, Any]] = {}
    for index, stamp in enumerate(timestamps):
        result[key(stamp)] = {
            name: _number(name, column[index]) for name, column in columns.items()
        }
    return result


def _number(name: str, value: Any) -> Any:
    if value is None or name.endswith("_count"):
        return value
    return float(value)


def local_day_of(zone: ZoneInfo) -> Callable[[int], date]:
    """Epoch seconds of a day start → its local date."""
    return lambda s: datetime.fromtimestamp(s, UTC).astimezone(zone).date()


# -- the fixed data set shared by the Apache and TSL (PGlite) tests -------------------

SPRING = (datetime(2024, 3, 29, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC))
AUTUMN = (datetime(2024, 10, 25, tzinfo=UTC), datetime(2024, 10, 29, tzinfo=UTC))
REFRESHED_UNTIL = datetime(2024, 10, 27, 13, 7, tzinfo=UTC)


def fixed_rows() -> list[Row]:
    """Irregular samples around both 2024 DST changes in Europe."""
    return irregular_rows(*SPRING, seed=1) + irregular_rows(*AUTUMN, seed=2)


def late_rows() -> list[Row]:
    """Samples that arrive after the first refresh, below its watermark."""
    return [
        Row(SPRING[0] + timedelta(hours=30, seconds=7), 9999, None, 100),
        Row(datetime(2024, 3, 31, 0, 59, 59, tzinfo=UTC), 5000, None, None),
    ]
