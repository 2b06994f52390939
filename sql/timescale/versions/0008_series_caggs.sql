-- TSL edition: the downsampled series samples_10m / samples_1h / samples_1d as
-- hierarchical continuous aggregates (10m on samples, 1h on 10m, 1d on 1h) with their
-- refresh policies. Applied by migration 0008 when timescaledb.license = 'timescale'
-- (the Apache edition gets tables of the same names and shapes from
-- 0008_series_rollups.sql instead), after definitions/series_caggs.sql.
--
-- Meaning and columns are those documented in 0008_series_rollups.sql: per node and UTC
-- bucket, count / sum (double precision) / min / max of each quantity;
-- avg = sum / count. The API reads below series_watermark() and adds raw samples
-- itself, the same way on both editions.

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

SELECT series_create_cagg('samples_1h', 'samples_10m', INTERVAL '1 hour');
SELECT series_create_cagg('samples_1d', 'samples_1h', INTERVAL '1 day');

-- start_offset NULL: late samples of any age are picked up through the invalidation
-- log (a policy with a start offset would ignore older ones). end_offset one bucket:
-- the bucket still filling stays real-time. Each level runs after the one below has
-- had time to refresh.
SELECT add_continuous_aggregate_policy('samples_10m',
    start_offset => NULL, end_offset => INTERVAL '10 minutes',
    schedule_interval => INTERVAL '5 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('samples_1h',
    start_offset => NULL, end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '15 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('samples_1d',
    start_offset => NULL, end_offset => INTERVAL '1 day',
    schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
