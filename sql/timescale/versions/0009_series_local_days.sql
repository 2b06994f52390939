-- Apache edition: samples_1d_local, the local days of series_day_zone(), kept by
-- series_refresh(), with its watermark and dirty log. Applied by migration 0009 after
-- 0009_series_day_zone.sql, before definitions/series_local_days_log.sql and
-- series_refresh.sql.
--
-- Columns and meaning as samples_1d (0008_series_rollups.sql), but a bucket is one local day in the zone
-- (23 or 25 hours on DST days), its start the local midnight. Built from samples_10m,
-- so it is exact for every zone whose UTC offsets are whole multiples of 10 minutes
-- (all but a few, such as Asia/Kathmandu); readers check that per request.
--
-- How it stays fresh, layered on the refresh of the UTC levels:
--  * the level has its own watermark, a local midnight: it is complete for the days
--    that end at or before it, whoever refreshed what;
--  * statement triggers on samples_10m log the local days of the 10-minute buckets that
--    series_refresh() rewrites below that watermark (late samples, corrections) in
--    samples_1d_local_dirty;
--  * series_refresh_local_days() recomputes the logged days, then advances the watermark
--    towards the last local midnight at or before the 10-minute level's watermark, in
--    bounded steps (the first refresh after the upgrade fills the whole history);
--  * series_refresh() runs both in one transaction and reports the local days it wrote
--    as rows_1d_local.

-- The key of samples_1d, INCLUDE columns and all (see 0008_series_rollups.sql).
CREATE TABLE samples_1d_local (LIKE samples_1d INCLUDING DEFAULTS INCLUDING INDEXES);
ALTER TABLE samples_1d_local RENAME CONSTRAINT samples_1d_local_pkey TO pk_samples_1d_local;

SELECT create_hypertable('samples_1d_local', 'bucket',
                         chunk_time_interval => INTERVAL '1092 days',
                         if_not_exists => TRUE, create_default_indexes => FALSE);

-- One row: samples_1d_local is complete below this local midnight ('-infinity' first).
CREATE TABLE samples_1d_local_watermark (
    singleton boolean DEFAULT TRUE CHECK (singleton),
    watermark timestamptz NOT NULL DEFAULT '-infinity',
    refreshed_at timestamptz,
    CONSTRAINT pk_samples_1d_local_watermark PRIMARY KEY (singleton)
);
INSERT INTO samples_1d_local_watermark DEFAULT VALUES;

-- Local days (node, local midnight) whose 10-minute buckets were rewritten below the
-- watermark; read whole by series_refresh_local_days().
CREATE TABLE samples_1d_local_dirty (
    node_id uuid NOT NULL,
    day timestamptz NOT NULL
);
