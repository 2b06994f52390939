-- TSL edition: samples_1d_local, the local days of series_day_zone() (060) as a
-- continuous aggregate on samples_10m, with its refresh policy. Applied by migration
-- 0011 after 060; safe to re-run. Created WITH NO DATA: the policy fills it.
--
-- Columns and meaning as samples_1d (040), but a bucket is one local day in the zone
-- (23 or 25 hours on DST days), its start the local midnight. Built from 10-minute
-- buckets, so it is exact for every zone whose UTC offsets are whole multiples of
-- 10 minutes (all but a few, such as Asia/Kathmandu); readers check that per request.
-- series_watermark('1d_local') (040) reads its watermark.

DO $$
BEGIN
    IF to_regclass('samples_1d_local') IS NULL THEN
        EXECUTE format($view$
            CREATE MATERIALIZED VIEW samples_1d_local
            WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
            SELECT a.node_id,
                   time_bucket(INTERVAL '1 day', a.bucket, %L) AS bucket,
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
            GROUP BY a.node_id, time_bucket(INTERVAL '1 day', a.bucket, %L)
            WITH NO DATA
        $view$, series_day_zone(), series_day_zone());
    END IF;
END $$;

SELECT add_continuous_aggregate_policy('samples_1d_local',
    start_offset => NULL, end_offset => INTERVAL '1 day',
    schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
