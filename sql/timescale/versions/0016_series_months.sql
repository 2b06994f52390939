-- Apache edition: samples_1mo, the UTC months of the downsampled series (migration 0016).
--
-- Columns and meaning as samples_1d (0008_series_rollups.sql), one row per node and UTC
-- calendar month that holds samples; complete for months that end at or before
-- series_watermark('1mo'), the month of the daily level's watermark. Kept by
-- series_refresh() (definitions/series_refresh.sql) from samples_1d, in the same
-- transaction, so a month always equals the sum of its stored days.
--
-- Why: the sample counts of the node and installation lists read whole stored days;
-- at one index row per node and day that cost grew with the history (13 ms at 30 days,
-- 37 ms at a year for 100 nodes). With months, a window is at most 2 x 31 edge days
-- plus one row per month, whatever its length.
--
-- A plain table, not a hypertable: 10,000 nodes keep 120,000 rows in ten years.
CREATE TABLE samples_1mo (LIKE samples_1d INCLUDING DEFAULTS INCLUDING INDEXES);
ALTER TABLE samples_1mo RENAME CONSTRAINT samples_1mo_pkey TO pk_samples_1mo;

-- The months already complete in samples_1d.
INSERT INTO samples_1mo
SELECT a.node_id, time_bucket(INTERVAL '1 month', a.bucket),
       sum(a.co2_count)::bigint, sum(a.co2_sum), min(a.co2_min), max(a.co2_max),
       sum(a.temperature_count)::bigint, sum(a.temperature_sum),
       min(a.temperature_min), max(a.temperature_max),
       sum(a.humidity_count)::bigint, sum(a.humidity_sum),
       min(a.humidity_min), max(a.humidity_max)
FROM samples_1d a, samples_watermark w
WHERE isfinite(w.watermark)
  AND a.bucket < time_bucket(INTERVAL '1 month', w.watermark)
GROUP BY 1, 2;
