-- Both editions: series_watermark(level), the end of the complete buckets of a level of
-- the downsampled series: '10m', '1h', '1d', '1mo' or '1d_local' ('-infinity' before the first
-- refresh, for an unknown level, or for a level not created yet). Readers take stored
-- buckets below it and compute newer ones from raw samples, the same way on both
-- editions. Current definition, applied by migration 0008 and re-applied by each
-- migration that changes it (CREATE OR REPLACE).
--
-- The edition is told by what migration 0008 created: the Apache edition's watermark
-- table (versions/0008_series_rollups.sql), or else continuous aggregates, whose
-- watermark is TimescaleDB's own cagg_watermark() (internal schema, stable since 2.12).
-- PL/pgSQL because its statements are planned when first run, so the branch of the
-- other edition never needs tables that edition lacks.

CREATE OR REPLACE FUNCTION series_watermark(level text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    mark timestamptz;
BEGIN
    IF to_regclass('samples_watermark') IS NULL THEN
        SELECT CASE WHEN w.raw <= -210866803200000000 THEN '-infinity'::timestamptz
                    ELSE _timescaledb_functions.to_timestamp(w.raw) END
        INTO mark
        FROM (SELECT _timescaledb_functions.cagg_watermark(c.mat_hypertable_id) AS raw
              FROM _timescaledb_catalog.continuous_agg c
              WHERE c.user_view_name = 'samples_' || level
                AND (quote_ident(c.user_view_schema) || '.' || quote_ident(c.user_view_name))::regclass
                    = to_regclass('samples_' || level)) w;
    ELSIF level = '1d_local' THEN
        IF to_regclass('samples_1d_local_watermark') IS NOT NULL THEN
            SELECT w.watermark INTO mark FROM samples_1d_local_watermark w;
        END IF;
    ELSE
        SELECT CASE
            WHEN NOT isfinite(s.watermark) THEN s.watermark
            WHEN level = '10m' THEN time_bucket(INTERVAL '10 minutes', s.watermark)
            WHEN level = '1h' THEN time_bucket(INTERVAL '1 hour', s.watermark)
            WHEN level = '1d' THEN time_bucket(INTERVAL '1 day', s.watermark)
            WHEN level = '1mo' AND to_regclass('samples_1mo') IS NOT NULL
                THEN time_bucket(INTERVAL '1 month', s.watermark)
        END
        INTO mark
        FROM samples_watermark s;
    END IF;
    RETURN coalesce(mark, '-infinity'::timestamptz);
END
$$;
