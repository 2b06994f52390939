-- TSL edition: series_create_cagg(), which creates one level of the downsampled series
-- as a continuous aggregate folded from the level below it (samples_1h from samples_10m,
-- samples_1d from samples_1h, samples_1d_local from samples_10m in a time zone).
-- Current definition, applied by migration 0008 when timescaledb.license = 'timescale'
-- and re-applied by each migration that changes it (CREATE OR REPLACE).
--
-- Why a function: every folded level has the same columns (count and sum add up, min and
-- max of mins and maxes), so they are written here once. The first level, samples_10m
-- from raw samples, is created by versions/0008_series_caggs.sql.
--
-- Real-time aggregation is switched on explicitly (materialized_only = false; since
-- TimescaleDB 2.13 new caggs default to materialized-only), so direct queries see fresh
-- buckets. Created WITH NO DATA: the refresh policies fill them. Does nothing when
-- p_name exists.

CREATE OR REPLACE FUNCTION series_create_cagg(
    p_name text,
    p_source text,
    p_width interval,
    p_zone text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_bucket text := CASE
        WHEN p_zone IS NULL THEN format('time_bucket(%L::interval, a.bucket)', p_width)
        ELSE format('time_bucket(%L::interval, a.bucket, %L)', p_width, p_zone)
    END;
BEGIN
    IF to_regclass(p_name) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format($view$
        CREATE MATERIALIZED VIEW %I
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT a.node_id,
               %s AS bucket,
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
        FROM %I a
        GROUP BY a.node_id, %s
        WITH NO DATA
    $view$, p_name, v_bucket, p_source, v_bucket);
END
$$;
