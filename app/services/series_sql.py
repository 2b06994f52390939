"""The SQL of the series read model: statements built from constants, values bound.

Every statement carries the tenant predicate :data:`GUARD` (the node belongs to the
organization the caller was allowed to see), so a wrong or forged id reads nothing
even if a caller forgot its visibility check. Identifiers (relations, columns,
intervals) only ever come from the constant tables below.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import TextClause, text

from app.services.timebuckets import Level

GUARD = (
    "EXISTS (SELECT 1 FROM nodes n WHERE n.id = :node_id AND n.owner_id = :owner_id)"
)


@dataclass(frozen=True)
class QuantitySpec:
    """A measured quantity: its API name, sample column and aggregate-column prefix."""

    name: str
    column: str
    prefix: str
    is_integer: bool


QUANTITIES = {
    q.name: q
    for q in (
        QuantitySpec("co2_ppm", "co2_ppm", "co2", True),
        QuantitySpec(
            "temperature_celsius", "temperature_celsius", "temperature", False
        ),
        QuantitySpec("rel_humidity_percent", "rel_humidity_percent", "humidity", True),
    )
}
AGGREGATES = ("avg", "min", "max", "count")
BUCKET_INTERVALS = {"10m": "10 minutes", "1h": "1 hour", "1d": "1 day"}

PLAN_SQL = text(
    f"""
    SELECT {GUARD} AS visible,
           (SELECT s.time FROM samples s
            WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
            ORDER BY s.time ASC LIMIT 1) AS first,
           (SELECT s.time FROM samples s
            WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
            ORDER BY s.time DESC LIMIT 1) AS last,
           (SELECT count(*) FROM (
                SELECT 1 FROM samples s
                WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
                LIMIT :count_cap) c) AS capped_count,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('10m') w) AS w10m,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('1h') w) AS w1h,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('1d') w) AS w1d
    """  # noqa: S608 -- constant text, values bound
)


def raw_values_sql(quantities: tuple[QuantitySpec, ...]) -> TextClause:
    """One row per sample: epoch seconds, then the quantities' values."""
    columns = ", ".join(_raw_value(q) for q in quantities)
    return text(
        f"""
        SELECT floor(extract(epoch FROM s.time))::bigint AS t, {columns}
        FROM samples s
        WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
          AND {GUARD}
        ORDER BY s.time
        LIMIT :row_cap
        """  # noqa: S608 -- identifiers from QUANTITIES, values bound
    )


def _raw_value(q: QuantitySpec) -> str:
    return f"s.{q.column}" if q.is_integer else f"s.{q.column}::float8"


def bucketed_sql(
    quantities: tuple[QuantitySpec, ...],
    aggregates: tuple[str, ...],
    *,
    output: Level,
    local_days: bool,
    source: Level | None,
    raw_parts: int,
) -> TextClause:
    """Buckets of one node: materialized rows of ``source`` plus raw samples.

    Bound values: ``node_id``, ``owner_id``; ``m0``/``m1`` (the materialized range)
    when ``source`` is given; ``r0a``/``r0b`` (and ``r1a``/``r1b``) for each raw range;
    ``tz`` when ``local_days``. Rows: the bucket key (epoch seconds of a UTC bucket,
    or days since 1970-01-01 of a local date), then one column per quantity and
    aggregate, in the order given.

    Args:
        quantities: the quantities to aggregate.
        aggregates: the aggregates of each, from :data:`AGGREGATES`.
        output: the output level (its width buckets the raw samples).
        local_days: group by local date in ``tz`` instead of by UTC bucket.
        source: the stored level read for the materialized range, if any.
        raw_parts: how many raw ranges (0 to 2).

    Returns:
        The statement.
    """
    interval = BUCKET_INTERVALS[output.name]
    if local_days:
        mat_key, raw_key = (
            "(a.bucket AT TIME ZONE :tz)::date",
            ("(s.time AT TIME ZONE :tz)::date"),
        )
        outer_key = "u.k - DATE '1970-01-01'"
    else:
        mat_key = "a.bucket"
        raw_key = f"time_bucket(INTERVAL '{interval}', s.time)"
        outer_key = "extract(epoch FROM u.k)::bigint"
    parts = []
    if source is not None:
        mat_cols = ", ".join(
            f"a.{q.prefix}_{agg} AS {q.prefix}_{agg}"
            for q in quantities
            for agg in ("count", "sum", "min", "max")
        )
        parts.append(
            f"SELECT {mat_key} AS k, {mat_cols} FROM {source.relation} a "  # noqa: S608 -- constants
            "WHERE a.node_id = :node_id AND a.bucket >= :m0 AND a.bucket < :m1"
        )
    raw_cols = ", ".join(
        f"count(s.{q.column}) AS {q.prefix}_count, "
        f"sum(s.{q.column}::float8) AS {q.prefix}_sum, "
        f"min(s.{q.column}) AS {q.prefix}_min, max(s.{q.column}) AS {q.prefix}_max"
        for q in quantities
    )
    for index in range(raw_parts):
        parts.append(
            f"SELECT {raw_key} AS k, {raw_cols} FROM samples s "  # noqa: S608 -- constants
            f"WHERE s.node_id = :node_id AND s.time >= :r{index}a "
            f"AND s.time < :r{index}b GROUP BY 1"
        )
    outer = ", ".join(_outer(q, agg) for q in quantities for agg in aggregates)
    union = " UNION ALL ".join(parts)
    return text(
        f"SELECT {outer_key} AS key, {outer} FROM ({union}) u "  # noqa: S608 -- constants
        f"WHERE {GUARD} GROUP BY u.k ORDER BY u.k"
    )


def _outer(q: QuantitySpec, aggregate: str) -> str:
    p = q.prefix
    if aggregate == "count":
        return f"sum(u.{p}_count)::bigint"
    if aggregate == "avg":
        return (
            f"round((sum(u.{p}_sum) / nullif(sum(u.{p}_count), 0))::numeric, 2)::float8"
        )
    cast = "" if q.is_integer else "::float8"
    return f"{aggregate}(u.{p}_{aggregate}){cast}"


SAMPLES_SQL = text(
    f"""
    SELECT floor(extract(epoch FROM s.time))::bigint AS timestamp_s, s.co2_ppm,
           s.temperature_celsius::text AS temperature_celsius,
           s.rel_humidity_percent, s.measurement_status
    FROM samples s
    WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
      AND {GUARD}
    ORDER BY s.time
    """  # noqa: S608 -- constant text, values bound
)

# Sample counts of many (node, window) pairs in one statement: whole UTC days from
# samples_1d below its watermark, the ragged ends and the fresh tail from raw samples.
COUNTS_SQL = text(
    """
    SELECT w.key,
           coalesce((SELECT sum(a.co2_count) FROM samples_1d a
                     WHERE a.node_id = w.node_id AND a.bucket >= w.m0
                       AND a.bucket < w.m1), 0)::bigint
         + (SELECT count(*) FROM samples s
            WHERE s.node_id = w.node_id AND s.time >= w.r0a AND s.time < w.r0b)
         + (SELECT count(*) FROM samples s
            WHERE s.node_id = w.node_id AND s.time >= w.r1a AND s.time < w.r1b)
           AS sample_count
    FROM unnest(CAST(:keys AS text[]), CAST(:node_ids AS uuid[]),
                CAST(:owner_ids AS bigint[]),
                CAST(:m0 AS timestamptz[]), CAST(:m1 AS timestamptz[]),
                CAST(:r0a AS timestamptz[]), CAST(:r0b AS timestamptz[]),
                CAST(:r1a AS timestamptz[]), CAST(:r1b AS timestamptz[]))
         AS w(key, node_id, owner_id, m0, m1, r0a, r0b, r1a, r1b)
    WHERE EXISTS (SELECT 1 FROM nodes n
                  WHERE n.id = w.node_id AND n.owner_id = w.owner_id)
    """
)

WATERMARK_1D_SQL = text(
    "SELECT CASE WHEN isfinite(w) THEN w END FROM series_watermark('1d') w"
)
