"""The SQL of the series read model: statements built from constants, values bound.

Every statement carries the tenant predicate :data:`GUARD` (the node belongs to the
organization the caller was allowed to see), so a wrong or forged id reads nothing
even if a caller forgot its visibility check. Identifiers (relations, columns,
intervals) only ever come from the constant tables below.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from psycopg.adapt import Loader
from psycopg.rows import dict_row
from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from app.services.series.buckets import LEVEL_1D_LOCAL, Level

GUARD = (
    "EXISTS (SELECT 1 FROM nodes n WHERE n.id = :node_id AND n.owner_id = :owner_id)"
)


def epoch_s(moment: str) -> str:
    """SQL of the whole epoch seconds (rounded down) of the ``timestamptz`` ``moment``.

    ``date_part`` computes in float8, ``extract`` in numeric: a month of one node's
    samples (8,640 rows, the installation detail's ``include_timeseries``) took
    15.9 ms with ``extract`` and 13.8 ms with ``date_part`` (medians of interleaved
    runs, load 2). The result is the same: float8 holds every microsecond instant
    exactly enough that the floor never rounds up to the next second between the
    years 1697 and 2242 (samples are whole seconds of the API's 32-bit epoch).
    """
    return f"floor(date_part('epoch', {moment}))::bigint"


@dataclass(frozen=True)
class QuantitySpec:
    """A measured quantity: its API name, sample column and aggregate-column prefix.

    ``decimals`` are the places the sample column keeps (``numeric(3,1)``: 1), so
    every sum of its values is a multiple of ``10 ** -decimals``.
    """

    name: str
    column: str
    prefix: str
    is_integer: bool
    decimals: int = 0


QUANTITIES = {
    q.name: q
    for q in (
        QuantitySpec("co2_ppm", "co2_ppm", "co2", True),
        QuantitySpec(
            "temperature_celsius", "temperature_celsius", "temperature", False, 1
        ),
        QuantitySpec("rel_humidity_percent", "rel_humidity_percent", "humidity", True),
    )
}
AGGREGATES = ("avg", "min", "max", "count")
BUCKET_INTERVALS = {"10m": "10 minutes", "1h": "1 hour", "1d": "1 day"}

FACTS_SQL = text(  # sql-identifiers: vetted (constant names and columns)
    f"""
    SELECT {GUARD} AS visible,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('10m') w) AS w10m,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('1h') w) AS w1h,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('1d') w) AS w1d,
           (SELECT CASE WHEN isfinite(w) THEN w END
            FROM series_watermark('1d_local') w) AS w1d_local,
           series_day_zone() AS day_zone
    """  # noqa: S608 -- constant text, values bound
)

# Where the data of a window starts and ends, and how many samples it holds (capped),
# read from samples_1d for whole days below its watermark and from raw samples only
# in the ragged ranges a = [a0, a1) and b = [b0, b1). Planning a statement over raw
# samples costs per 7-day chunk in its range (about 0.25 ms each): a year-long
# lookup on raw samples alone took 13 ms to plan, this one stays under a millisecond.
_RAW_FIRST = (
    "(SELECT s.time FROM samples s WHERE s.node_id = :node_id "
    "AND s.time >= :{lo} AND s.time < :{hi} ORDER BY s.time {order} LIMIT 1)"
)
_DAY_FIRST = (
    "(SELECT a.bucket FROM samples_1d a WHERE a.node_id = :node_id "
    "AND a.bucket >= :m0 AND a.bucket < :m1 ORDER BY a.bucket {order} LIMIT 1)"
)
_RAW_COUNT = (
    "(SELECT count(*) FROM (SELECT 1 FROM samples s WHERE s.node_id = :node_id "
    "AND s.time >= :{lo} AND s.time < :{hi} LIMIT :count_cap) c)"
)
EXTENT_SQL = text(  # sql-identifiers: vetted (constant names and columns)
    f"""
    SELECT {_RAW_FIRST.format(lo="a0", hi="a1", order="ASC")} AS a_first,
           {_RAW_FIRST.format(lo="a0", hi="a1", order="DESC")} AS a_last,
           {_DAY_FIRST.format(order="ASC")} AS m_first,
           {_DAY_FIRST.format(order="DESC")} AS m_last,
           {_RAW_FIRST.format(lo="b0", hi="b1", order="ASC")} AS b_first,
           {_RAW_FIRST.format(lo="b0", hi="b1", order="DESC")} AS b_last,
           (SELECT coalesce(sum(a.co2_count), 0) FROM samples_1d a
            WHERE a.node_id = :node_id AND a.bucket >= :m0 AND a.bucket < :m1)
           + {_RAW_COUNT.format(lo="a0", hi="a1")}
           + {_RAW_COUNT.format(lo="b0", hi="b1")} AS capped_count
    WHERE {GUARD}
    """  # noqa: S608 -- constant text, values bound
)
REFINE_SQL = text(  # sql-identifiers: vetted (constant names and columns)
    f"""
    SELECT {_RAW_FIRST.format(lo="f0", hi="f1", order="ASC")} AS first,
           {_RAW_FIRST.format(lo="l0", hi="l1", order="DESC")} AS last
    WHERE {GUARD}
    """
)


def raw_values_sql(quantities: tuple[QuantitySpec, ...]) -> TextClause:
    """One row per sample: epoch seconds, then the quantities' values."""
    columns = ", ".join(_raw_value(q) for q in quantities)
    return text(  # sql-identifiers: vetted (constant names and columns)
        f"""
        SELECT {epoch_s("s.time")} AS t, {columns}
        FROM samples s
        WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
          AND {GUARD}
        ORDER BY s.time
        LIMIT :row_cap
        """  # noqa: S608 -- identifiers from QUANTITIES, values bound
    )


def _raw_value(q: QuantitySpec) -> str:
    return f"s.{q.column}" if q.is_integer else f"s.{q.column}::float8"


# The key of a local day: days since 1970-01-01 of the local date of ``t`` in ``tz``.
_LOCAL_DATE = "(({t}) AT TIME ZONE :tz)::date - DATE '1970-01-01'"


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
    ``tz`` when ``local_days``. Rows, unordered: the bucket key (epoch seconds of a
    UTC bucket, or days since 1970-01-01 of a local date), then one column per
    quantity and aggregate, in the order given. Averages are rounded to 2 decimals
    (half away from zero, the same from stored and raw sums: :func:`_avg`).

    UTC buckets of the output level, and local days read from the stored local days
    (``source`` is :data:`LEVEL_1D_LOCAL`, below a watermark at a local midnight) or
    from raw samples alone: the materialized range and the raw ranges hold disjoint
    buckets, so each part yields final values and nothing is re-aggregated (a year of
    hours is 8,760 rows; three years of stored days took 6.6 ms with a second
    aggregation of every day, 5.0 ms without). Local days folded from a UTC level
    (hours for Europe/Berlin): the stored range may end inside a local day that a raw
    range continues, so every part yields partial aggregates per day, summed up
    outside.

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
    raw_where = "s.node_id = :node_id AND s.time >= :r{i}a AND s.time < :r{i}b"
    mat_where = "a.node_id = :node_id AND a.bucket >= :m0 AND a.bucket < :m1"
    parts = []
    if local_days and source is not None and source != LEVEL_1D_LOCAL:
        partial = _partials(aggregates)  # only what the requested aggregates need
        cols = ", ".join(
            f"a.{q.prefix}_{agg} AS {q.prefix}_{agg}"
            for q in quantities
            for agg in partial
        )
        parts.append(
            f"SELECT (a.bucket AT TIME ZONE :tz)::date AS k, {cols} "  # noqa: S608 -- constants
            f"FROM {source.relation} a WHERE {mat_where}"
        )
        cols = ", ".join(_raw_partial(q, agg) for q in quantities for agg in partial)
        parts.extend(
            f"SELECT (s.time AT TIME ZONE :tz)::date AS k, {cols} "  # noqa: S608 -- constants
            f"FROM samples s WHERE {raw_where.format(i=i)} GROUP BY 1"
            for i in range(raw_parts)
        )
        outer = ", ".join(_combined(q, agg) for q in quantities for agg in aggregates)
        return text(  # sql-identifiers: vetted (constant names and columns)
            f"SELECT u.k - DATE '1970-01-01' AS key, {outer} "  # noqa: S608 -- constants
            f"FROM ({' UNION ALL '.join(parts)}) u WHERE {GUARD} GROUP BY u.k"
        )
    if local_days:
        stored_key, bucket = _LOCAL_DATE.format(t="a.bucket"), "1"
        raw_key = _LOCAL_DATE.format(t="s.time")
    else:
        stored_key = epoch_s("a.bucket")
        bucket = f"time_bucket(INTERVAL '{interval}', s.time)"
        raw_key = epoch_s(bucket)
    if source is not None:
        cols = ", ".join(
            _stored_final(q, agg) for q in quantities for agg in aggregates
        )
        parts.append(
            f"SELECT {stored_key}, {cols} "  # noqa: S608 -- constants
            f"FROM {source.relation} a WHERE {mat_where} AND {GUARD}"
        )
    cols = ", ".join(_raw_final(q, agg) for q in quantities for agg in aggregates)
    parts.extend(
        f"SELECT {raw_key}, {cols} FROM samples s "  # noqa: S608 -- constants
        f"WHERE {raw_where.format(i=i)} AND {GUARD} GROUP BY {bucket}"
        for i in range(raw_parts)
    )
    return text(" UNION ALL ".join(parts))


def _avg(q: QuantitySpec, total: str, count: str) -> str:
    """The mean rounded to 2 decimals, half away from zero, the same from any sums.

    Stored sums are float8, added up in whatever order the refresh or the raw read
    met the samples: 18.7 + 18.8 + 18.8 + 18.8 is 75.1 one way and
    75.10000000000001 the other, and a mean of exactly 18.775 came out 18.77 from
    raw samples and 18.78 from stored buckets (a series changed after a refresh).
    The total is a multiple of ``10 ** -q.decimals`` (the sample column's places),
    so rounding it there in numeric restores it exactly; the division and the
    rounding then run in numeric too, where a tie rounds away from zero as by hand
    (float8's ``round`` rounds it to even, 400.125 to 400.12).
    """
    exact = f"round(CAST({total} AS numeric), {q.decimals})"
    return f"CAST(round({exact} / nullif({count}, 0), 2) AS float8)"


def _partials(aggregates: tuple[str, ...]) -> tuple[str, ...]:
    """The stored columns (count, sum, min, max) the aggregates are computed from."""
    needed = {"avg": ("count", "sum"), "count": ("count",), "min": ("min",)}
    names = [n for agg in aggregates for n in needed.get(agg, ("max",))]
    return tuple(dict.fromkeys(names))


def _raw_partial(q: QuantitySpec, partial: str) -> str:
    column = f"s.{q.column}::float8" if partial == "sum" else f"s.{q.column}"
    return f"{partial}({column}) AS {q.prefix}_{partial}"


def _cast(q: QuantitySpec) -> str:
    return "" if q.is_integer else "::float8"


def _combined(q: QuantitySpec, aggregate: str) -> str:
    p = q.prefix
    if aggregate == "count":
        return f"sum(u.{p}_count)::bigint"
    if aggregate == "avg":
        return _avg(q, f"sum(u.{p}_sum)", f"sum(u.{p}_count)")
    return f"{aggregate}(u.{p}_{aggregate}){_cast(q)}"


def _stored_final(q: QuantitySpec, aggregate: str) -> str:
    p = q.prefix
    if aggregate == "avg":
        return _avg(q, f"a.{p}_sum", f"a.{p}_count")
    return f"a.{p}_{aggregate}" + ("" if aggregate == "count" else _cast(q))


def _raw_final(q: QuantitySpec, aggregate: str) -> str:
    c = q.column
    if aggregate == "avg":
        return _avg(q, f"sum(s.{c})", f"count(s.{c})")
    return f"{aggregate}(s.{c})" + ("" if aggregate == "count" else _cast(q))


# A sample as the API renders it: epoch seconds, temperature as its text "22.0".
_SAMPLE_COLUMNS = (
    f"{epoch_s('s.time')} AS timestamp_s, s.co2_ppm, "
    "s.temperature_celsius::text AS temperature_celsius, "
    "s.rel_humidity_percent, s.measurement_status"
)
# A window's samples, oldest first: the time leaves the server unconverted and
# app.services.series.samples turns it into epoch seconds (see its WIRE_LOADERS).
SAMPLES_SQL = text(  # sql-identifiers: vetted (constant names and columns)
    f"""
    SELECT s.time, s.co2_ppm, s.temperature_celsius::text AS temperature_celsius,
           s.rel_humidity_percent, s.measurement_status
    FROM samples s
    WHERE s.node_id = :node_id AND s.time >= :start AND s.time < :stop
      AND {GUARD}
    ORDER BY s.time
    """  # noqa: S608 -- constant text, values bound
)

#: The first ``:limit`` samples of :data:`SAMPLES_SQL`.
SAMPLES_FIRST_SQL = text(  # sql-identifiers: vetted (constant text)
    SAMPLES_SQL.text + "    LIMIT :limit\n"
)


def fetch_all(
    session: Session,
    statement: TextClause,
    params: dict[str, Any],
    *,
    prepared: bool = False,
    loaders: Mapping[str, type[Loader]] | None = None,
) -> list[tuple[Any, ...]]:
    """Run ``statement`` on the session's connection and return plain tuples.

    The statement is compiled by SQLAlchemy (same SQL, same bound values) and run on
    the psycopg cursor: a year of hourly buckets is 8,760 rows, and SQLAlchemy's row
    objects cost ~30 ms for them, psycopg's tuples ~1 ms. Results come in binary
    format (the same Python values): for those 8,760 rows about 3 ms less than text,
    which the server formats and the client parses number by number.

    The statement is never prepared (``prepare=False``). psycopg prepares a statement
    on its 5th run, and PostgreSQL may then switch to a generic plan, which cannot
    exclude hypertable chunks when it is made and opens every chunk of the table at
    each run instead: the extent query of a year-long series took 10 ms that way
    instead of 3. Unprepared, every run is planned with its time bounds. (Forcing
    custom plans on the whole connection instead was tried: it also re-planned the
    per-row foreign-key check of batch inserts, and batch ingest ran at half speed.)

    ``loaders`` (type name -> psycopg loader) replace the cursor's own for this
    statement, to read a column's binary form differently.

    ``prepared`` prepares the statement on its first run instead, for statements that
    read no raw samples: their plans exclude no chunk by a bound, so a generic plan is
    as good, and planning is skipped (3.6 ms of the stored counts of a 100-node list,
    against 4 ms of execution). Not behind PgBouncer (``DB_PGBOUNCER``), which turns
    preparing off on the connection.
    """
    with _executed(
        session, statement, params, prepared=prepared, loaders=loaders
    ) as cursor:
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def fetch_chunks(
    session: Session,
    statement: TextClause,
    params: dict[str, Any],
    *,
    size: int,
    loaders: Mapping[str, type[Loader]] | None = None,
) -> Iterator[list[tuple[Any, ...]]]:
    """Run ``statement`` as :func:`fetch_all` does and yield its rows in lists of at
    most ``size``, as they arrive.

    The rows come ``size`` at a time from the server (libpq's chunked mode), so a
    result of any length costs one list of memory, not the whole result on the
    client. The connection is busy until the last list was taken (or the generator
    closed). ``loaders`` (type name -> psycopg loader) replace the cursor's own for
    this statement, to read a column's binary form differently.
    """
    driver, query, values = _driver_statement(session, statement, params)
    with _loading(driver.cursor(binary=True), loaders) as cursor:
        # islice takes the rows off the stream's generator in C: a loop appending
        # them one by one cost 2-3 ms of a month of one node's samples (8,640 rows).
        rows = cursor.stream(query, values, size=size)
        while chunk := list(islice(rows, size)):
            yield chunk


def fetch_one(
    session: Session, statement: TextClause, params: dict[str, Any]
) -> dict[str, Any]:
    """The single row of ``statement`` by column name, run as :func:`fetch_all` does."""
    with _executed(session, statement, params, row_factory=dict_row) as cursor:
        row: dict[str, Any] | None = cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row


@contextmanager
def _executed(
    session: Session,
    statement: TextClause,
    params: dict[str, Any],
    *,
    prepared: bool = False,
    loaders: Mapping[str, type[Loader]] | None = None,
    **options: Any,
) -> Iterator[Any]:
    """A binary psycopg cursor that ran ``statement``, unprepared unless ``prepared``
    (see :func:`fetch_all`)."""
    driver, query, values = _driver_statement(session, statement, params)
    with _loading(driver.cursor(binary=True, **options), loaders) as cursor:
        cursor.execute(
            query, values, prepare=prepared and driver.prepare_threshold is not None
        )
        yield cursor


def _loading(cursor: Any, loaders: Mapping[str, type[Loader]] | None) -> Any:
    """``cursor`` with ``loaders`` (type name -> psycopg loader) instead of its own."""
    for type_name, loader in (loaders or {}).items():
        cursor.adapters.register_loader(type_name, loader)
    return cursor


def _driver_statement(
    session: Session, statement: TextClause, params: dict[str, Any]
) -> tuple[Any, str, Any]:
    """The session's psycopg connection, and ``statement`` compiled by SQLAlchemy
    for it (same SQL, same bound values, lists sent in binary)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    driver = connection.connection.driver_connection
    query = _binary_arrays(compiled.string, params)
    return driver, query, compiled.construct_params(params)


def _binary_arrays(query: str, params: dict[str, Any]) -> str:
    """``query`` with its list parameters sent in binary (``%(name)b``).

    psycopg sends a list in text form by default, quoting and escaping each element
    through regular expressions: the statistics of a list of 100 nodes bind about
    20 arrays of 100-300 uuids, times and keys, and writing them as text took 4 ms
    of CPU per request, binary a fifth of that. The values are the same.
    """
    for name, value in params.items():
        if isinstance(value, list):
            query = query.replace(f"%({name})s", f"%({name})b")
    return query


# What the statistics of many windows need first: the daily and monthly levels'
# watermarks, and whether this is the Apache edition (writes below the watermark are
# logged in samples_dirty until the next refresh) or the TSL one (continuous aggregates).
STATS_SETUP_SQL = text(
    "SELECT CASE WHEN isfinite(w) THEN w END AS watermark, "
    "CASE WHEN isfinite(m) THEN m END AS month_watermark, "
    "to_regclass('samples_dirty') IS NOT NULL AS logged "
    "FROM series_watermark('1d') w, series_watermark('1mo') m"
)

# The stored days (UTC) that may be stale, written to since the refresh that stored
# them, as (node_id, day); a NULL node_id means every node.
_STALE_LOGGED = """
    SELECT DISTINCT d.node_id, time_bucket(INTERVAL '1 day', d.lo) AS day
    FROM samples_dirty d
    WHERE d.node_id = ANY (CAST(:nodes AS uuid[])) AND d.lo < :watermark
"""
# TSL: TimescaleDB's own invalidation logs, for the whole hypertable (not per node):
# ranges written below a cagg's watermark and not yet refreshed, on the way samples ->
# samples_10m -> samples_1h -> samples_1d (the raw hypertable's log, then each level's).
# The internal times are microseconds since the Unix epoch; open ends are clipped to
# [oldest, watermark) before the days are listed.
_STALE_INVALIDATED = """
    SELECT DISTINCT CAST(NULL AS uuid) AS node_id,
           generate_series(time_bucket(INTERVAL '1 day', greatest(r.lo, :oldest)),
                           least(r.hi, :watermark - INTERVAL '1 microsecond'),
                           INTERVAL '1 day') AS day
    FROM (
        SELECT to_timestamp(greatest(i.lo, -210866803200000000) / 1e6) AS lo,
               to_timestamp(least(i.hi, 9223371331200000000) / 1e6) AS hi
        FROM (
            SELECT l.lowest_modified_value AS lo, l.greatest_modified_value AS hi
            FROM _timescaledb_catalog.continuous_aggs_hypertable_invalidation_log l
            UNION ALL
            SELECT m.lowest_modified_value, m.greatest_modified_value
            FROM _timescaledb_catalog.continuous_aggs_materialization_invalidation_log m
        ) i
    ) r
    WHERE r.lo < :watermark AND r.hi >= :oldest
"""
#: By edition: True when writes are logged in ``samples_dirty`` (Apache).
STALE_DAYS_SQL = {True: text(_STALE_LOGGED), False: text(_STALE_INVALIDATED)}

# The stale days of each node (skip_nodes/skip_days, often none) left out of a read of
# samples_1d, through a hashed subplan.
_SKIP_STALE = (
    "AND (a.node_id, a.bucket) NOT IN ("
    "SELECT * FROM unnest(CAST(:skip_nodes AS uuid[]), "
    "CAST(:skip_days AS timestamptz[])))"
)

# Per window key: the stored count of its stored ranges (whole months [lo, hi) of
# samples_1mo below the month watermark, or whole days of samples_1d, stale days left
# out), and the first and last non-stale stored day with samples among its whole days
# [m0, m1). Index-only: one row per month or day of a range, a probe per edge day.
_STORED = """
    SELECT x.key, sum(x.n)::bigint, min(x.first_day), max(x.last_day)
    FROM (
        SELECT r.key, c.n, NULL::timestamptz AS first_day, NULL::timestamptz AS last_day
        FROM unnest(CAST(:keys AS bigint[]), CAST(:nodes AS uuid[]),
                    CAST(:lo AS timestamptz[]), CAST(:hi AS timestamptz[]),
                    CAST(:monthly AS boolean[])) AS r(key, node_id, lo, hi, monthly)
        CROSS JOIN LATERAL (
            SELECT sum(a.co2_count) AS n
            FROM samples_1mo a
            WHERE r.monthly AND a.node_id = r.node_id AND a.bucket >= r.lo
              AND a.bucket < r.hi AND a.bucket < :month_mark
            UNION ALL
            SELECT sum(a.co2_count)
            FROM samples_1d a
            WHERE NOT r.monthly AND a.node_id = r.node_id AND a.bucket >= r.lo
              AND a.bucket < r.hi {skip}
        ) c
        UNION ALL
        SELECT w.key, 0, {first}, l.bucket
        FROM unnest(CAST(:days_keys AS bigint[]), CAST(:days_nodes AS uuid[]),
                    CAST(:m0 AS timestamptz[]), CAST(:m1 AS timestamptz[]))
             AS w(key, node_id, m0, m1)
        CROSS JOIN LATERAL (
            SELECT a.bucket FROM samples_1d a
            WHERE a.node_id = w.node_id AND a.bucket >= w.m0 AND a.bucket < w.m1
              AND a.co2_count > 0 {skip}
            ORDER BY a.bucket DESC LIMIT 1
        ) l
        WHERE w.m0 < w.m1
    ) x
    GROUP BY x.key
"""
# The first stored day, only for the details (a probe the lists need not pay for).
_FIRST_DAY = """(
            SELECT a.bucket FROM samples_1d a
            WHERE a.node_id = w.node_id AND a.bucket >= w.m0 AND a.bucket < w.m1
              AND a.co2_count > 0 {skip}
            ORDER BY a.bucket LIMIT 1)"""
#: By (whether any stored day is stale, whether the first stored day is wanted).
STORED_SQL = {
    (stale, first): text(  # sql-identifiers: vetted (constant text)
        _STORED.format(
            skip=_SKIP_STALE if stale else "",
            first=(
                _FIRST_DAY.format(skip=_SKIP_STALE if stale else "")
                if first
                else "NULL::timestamptz"
            ),
        )
    )
    for stale in (False, True)
    for first in (False, True)
}


@lru_cache(maxsize=64)
def ranges_sql(groups: int) -> TextClause:
    """Count, first and last time and the newest sample of many raw ranges, one
    subquery per group.

    Bound per group ``g``: arrays ``k<g>`` (keys), ``n<g>`` (nodes), ``lo<g>``,
    ``hi<g>`` (the ranges ``[lo, hi)``) and the constants ``glo<g>``/``ghi<g>``
    enclosing them, which let the planner keep only the chunks between them.
    Rows: key, count, first, last, then the newest sample's columns (NULL when the
    range is empty). The newest sample is one more probe of the index that already
    gave the count (it holds every column), which saved the lists a statement
    (a round trip and its planning) reading it afterwards.
    """
    return text(  # sql-identifiers: vetted (constant text)
        " UNION ALL ".join(
            f"""
            SELECT r.k, c.n, c.first, c.last, l.*
            FROM unnest(CAST(:k{g} AS bigint[]), CAST(:n{g} AS uuid[]),
                        CAST(:lo{g} AS timestamptz[]), CAST(:hi{g} AS timestamptz[]))
                 AS r(k, node_id, lo, hi)
            CROSS JOIN LATERAL (
                SELECT count(*) AS n, min(s.time) AS first, max(s.time) AS last
                FROM samples s
                WHERE s.node_id = r.node_id AND s.time >= r.lo AND s.time < r.hi
                  AND s.time >= :glo{g} AND s.time < :ghi{g}
            ) c
            LEFT JOIN LATERAL (
                SELECT {_SAMPLE_COLUMNS}
                FROM samples s
                WHERE s.node_id = r.node_id AND s.time >= r.lo AND s.time < r.hi
                  AND s.time >= :glo{g} AND s.time < :ghi{g}
                ORDER BY s.time DESC
                LIMIT 1
            ) l ON TRUE
            """  # noqa: S608 -- constant text, values bound
            for g in range(groups)
        )
    )


# The tallies of the lists (sql/timescale/definitions/sample_tallies.sql): one primary
# key lookup per row, whatever the history. No hypertable: prepared once per connection.
NODE_TALLIES_SQL = text(
    "SELECT t.node_id, t.samples, t.newest FROM node_tallies t "
    "WHERE t.node_id = ANY (CAST(:ids AS uuid[]))"
)
#: The newest sample of any node: one row per node, not a read of the hypertable.
NEWEST_TALLIED_SQL = text("SELECT max(t.newest) FROM node_tallies t")
INSTALLATION_TALLIES_SQL = text(
    "SELECT t.installation_id, t.samples, t.newest FROM installation_tallies t "
    "WHERE t.installation_id = ANY (CAST(:ids AS bigint[]))"
)


@lru_cache(maxsize=64)
def samples_at_sql(groups: int) -> TextClause:
    """The sample of each (node, time), one subquery per group of nearby times.

    Bound per group ``g`` (as :func:`app.services.series.stats.group_ranges` binds
    them): arrays ``k<g>`` (keys), ``n<g>`` (nodes), ``lo<g>`` (the times; ``hi<g>``
    is unused) and the constants ``glo<g>``/``ghi<g>`` enclosing them, so only the
    chunks between them are planned. Rows: key, then the sample's columns; a time
    without a sample (dropped by retention) has no row. Index-only: the unique
    ``(node_id, time)`` index covers every column.
    """
    return text(  # sql-identifiers: vetted (constant text)
        " UNION ALL ".join(
            f"""
            SELECT r.k, {_SAMPLE_COLUMNS}
            FROM unnest(CAST(:k{g} AS bigint[]), CAST(:n{g} AS uuid[]),
                        CAST(:lo{g} AS timestamptz[])) AS r(k, node_id, t)
            JOIN samples s ON s.node_id = r.node_id AND s.time = r.t
            WHERE s.time >= :glo{g} AND s.time < :ghi{g}
            """  # noqa: S608 -- constant text, values bound
            for g in range(groups)
        )
    )
