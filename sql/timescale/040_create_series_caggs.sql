-- TSL edition: the downsampled series samples_10m / samples_1h / samples_1d as
-- hierarchical continuous aggregates (10m on samples, 1h on 10m, 1d on 1h) and
-- series_watermark(). Applied by migration 0008 when timescaledb.license = 'timescale'
-- (the Apache edition gets tables of the same names and shapes from 050 instead).
-- Safe to re-run. Created WITH NO DATA: the refresh policies (041) fill them.
--
-- Meaning and columns are those documented in 050: per node and UTC bucket, count /
-- sum (double precision) / min / max of each quantity; avg = sum / count.
-- Real-time aggregation is switched on explicitly (materialized_only = false; since
-- TimescaleDB 2.13 new caggs default to materialized-only), so direct queries see fresh
-- buckets. The API reads below series_watermark() and adds raw samples itself, the same
-- way on both editions.

CREATE MATERIALIZED VIEW IF NOT EXISTS samples_10m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT s.node_id,
       time_bucket(INTERVAL '10 minutes', s.time) AS bucket,
       count(s.co2_ppm) AS co2_count,
       sum(s.co2_ppm::double precision) AS co2_sum,
       min(s.co2_ppm) AS co2_min,
       max(s.co2_ppm) AS co2_max,
       count(s.temperature_celsius) AS temperature_count,
       sum(s.temperature_celsius::double precision) AS temperature_sum,
       min(s.temperature_celsius) AS temperature_min,
       max(s.temperature_celsius) AS temperature_max,
       count(s.rel_humidity_percent) AS humidity_count,
       sum(s.rel_humidity_percent::double precision) AS humidity_sum,
       min(s.rel_humidity_percent) AS humidity_min,
       max(s.rel_humidity_percent) AS humidity_max
FROM samples s
GROUP BY s.node_id, time_bucket(INTERVAL '10 minutes', s.time)
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS samples_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT a.node_id,
       time_bucket(INTERVAL '1 hour', a.bucket) AS bucket,
       sum(a.co2_count)::bigint AS co2_count,
       sum(a.co2_sum) AS co2_sum,
       min(a.co2_min) AS co2_min,
       max(a.co2_max) AS co2_max,
       sum(a.temperature_count)::bigint AS temperature_count,
       sum(a.temperature_sum) AS temperature_sum,
       min(a.temperature_min) AS temperature_min,
       max(a.temperature_max) AS temperature_max,
       sum(a.humidity_count)::bigint AS humidity_count,
       sum(a.humidity_sum) AS humidity_sum,
       min(a.humidity_min) AS humidity_min,
       max(a.humidity_max) AS humidity_max
FROM samples_10m a
GROUP BY a.node_id, time_bucket(INTERVAL '1 hour', a.bucket)
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS samples_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT a.node_id,
       time_bucket(INTERVAL '1 day', a.bucket) AS bucket,
       sum(a.co2_count)::bigint AS co2_count,
       sum(a.co2_sum) AS co2_sum,
       min(a.co2_min) AS co2_min,
       max(a.co2_max) AS co2_max,
       sum(a.temperature_count)::bigint AS temperature_count,
       sum(a.temperature_sum) AS temperature_sum,
       min(a.temperature_min) AS temperature_min,
       max(a.temperature_max) AS temperature_max,
       sum(a.humidity_count)::bigint AS humidity_count,
       sum(a.humidity_sum) AS humidity_sum,
       min(a.humidity_min) AS humidity_min,
       max(a.humidity_max) AS humidity_max
FROM samples_1h a
GROUP BY a.node_id, time_bucket(INTERVAL '1 day', a.bucket)
WITH NO DATA;

-- The end of the materialized buckets of a level: '10m', '1h' or '1d' (-infinity before
-- the first refresh or for an unknown level). cagg_watermark() is TimescaleDB's own
-- (internal schema, stable since 2.12).
CREATE OR REPLACE FUNCTION series_watermark(level text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT CASE WHEN w.raw <= -210866803200000000 THEN '-infinity'::timestamptz
                     ELSE _timescaledb_functions.to_timestamp(w.raw) END
         FROM (SELECT _timescaledb_functions.cagg_watermark(c.mat_hypertable_id) AS raw
               FROM _timescaledb_catalog.continuous_agg c
               WHERE c.user_view_name = 'samples_' || level
                 AND (quote_ident(c.user_view_schema) || '.' || quote_ident(c.user_view_name))::regclass
                     = to_regclass('samples_' || level)) w),
        '-infinity'::timestamptz)
$$;
