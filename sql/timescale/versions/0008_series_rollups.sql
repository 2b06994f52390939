-- Apache edition: the downsampled series samples_10m / samples_1h / samples_1d as plain
-- (hyper)tables, the refresh state (watermark) and the dirty log. Applied by migration
-- 0008 when timescaledb.license is not 'timescale' (the TSL edition gets continuous
-- aggregates of the same names from 0008_series_caggs.sql instead), before the
-- functions that keep them: definitions/series_dirty_log.sql, series_refresh.sql and
-- series_watermark.sql.
--
-- Meaning (both editions): a row holds, per node and bucket, count / sum / min / max of
-- each quantity over the samples whose time falls in [bucket, bucket + width). Buckets are
-- UTC (10 minutes, 1 hour, 1 day). Sums are double precision: exact for CO2 and humidity
-- (integers far below 2^53), within float rounding for temperature. avg = sum / count.
-- Rows exist only for buckets with at least one sample.
--
-- Freshness: every level is complete for buckets that end at or before
-- series_watermark(level); readers compute newer buckets from raw samples in the same
-- query. Samples inserted, changed or deleted below the watermark are logged in
-- samples_dirty by statement triggers (series_dirty_log.sql) and fixed by the next series_refresh().

CREATE TABLE samples_10m (
    node_id uuid NOT NULL,
    bucket timestamptz NOT NULL,
    co2_count bigint NOT NULL,
    co2_sum double precision,
    co2_min smallint,
    co2_max smallint,
    temperature_count bigint NOT NULL,
    temperature_sum double precision,
    temperature_min numeric(3, 1),
    temperature_max numeric(3, 1),
    humidity_count bigint NOT NULL,
    humidity_sum double precision,
    humidity_min smallint,
    humidity_max smallint,
    CONSTRAINT pk_samples_10m PRIMARY KEY (node_id, bucket)
);

-- The hourly key carries every column (INCLUDE): a year of one node is read by an
-- index-only scan of adjacent index pages, however the rows of many nodes are
-- interleaved in the heap (refreshes append one bucket of every node at a time).
-- Measured with 100 nodes: the heap scan of one node's 8,760 hours was 1.5-2x slower
-- than with 10 nodes; the index-only scan does not grow with the table. The daily
-- levels copy that key (LIKE ... INCLUDING INDEXES) and rename it.
CREATE TABLE samples_1h (
    LIKE samples_10m INCLUDING DEFAULTS,
    CONSTRAINT pk_samples_1h PRIMARY KEY (node_id, bucket)
        INCLUDE (co2_count, co2_sum, co2_min, co2_max,
                 temperature_count, temperature_sum, temperature_min, temperature_max,
                 humidity_count, humidity_sum, humidity_min, humidity_max)
);
CREATE TABLE samples_1d (LIKE samples_1h INCLUDING DEFAULTS INCLUDING INDEXES);
ALTER TABLE samples_1d RENAME CONSTRAINT samples_1d_pkey TO pk_samples_1d;

-- Chunks of about 1 M rows per 10,000 nodes; retention can drop_chunks per level.
SELECT create_hypertable('samples_10m', 'bucket', chunk_time_interval => INTERVAL '28 days',
                         if_not_exists => TRUE, create_default_indexes => FALSE);
SELECT create_hypertable('samples_1h', 'bucket', chunk_time_interval => INTERVAL '182 days',
                         if_not_exists => TRUE, create_default_indexes => FALSE);
SELECT create_hypertable('samples_1d', 'bucket', chunk_time_interval => INTERVAL '1092 days',
                         if_not_exists => TRUE, create_default_indexes => FALSE);

-- One row: the levels are complete below the (10-minute aligned) watermark;
-- '-infinity' until the first refresh.
CREATE TABLE samples_watermark (
    singleton boolean DEFAULT TRUE CHECK (singleton),
    watermark timestamptz NOT NULL DEFAULT '-infinity',
    refreshed_at timestamptz,
    CONSTRAINT pk_samples_watermark PRIMARY KEY (singleton)
);
INSERT INTO samples_watermark DEFAULT VALUES;

-- Append-only log of (node, time range) touched by writes to samples, one row per node
-- and UTC day per statement; consumed by series_refresh(). No index: it is read whole.
CREATE TABLE samples_dirty (
    node_id uuid NOT NULL,
    lo timestamptz NOT NULL,
    hi timestamptz NOT NULL
);
