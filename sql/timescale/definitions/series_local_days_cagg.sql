-- TSL edition: samples_1d_local, the local days of series_day_zone() as a continuous
-- aggregate on samples_10m (series_create_cagg(), definitions/series_caggs.sql), with
-- its refresh policy. Current definition, applied by migration 0009 after
-- versions/0009_series_day_zone.sql, and again by `flask series day-zone --rebuild` (rezone_local_days(),
-- after dropping the aggregate); creates what is missing.
--
-- Columns and meaning as samples_1d, but a bucket is one local day in the zone
-- (23 or 25 hours on DST days), its start the local midnight. Built from 10-minute
-- buckets, so it is exact for every zone whose UTC offsets are whole multiples of
-- 10 minutes (all but a few, such as Asia/Kathmandu); readers check that per request.
-- series_watermark('1d_local') reads its watermark.

SELECT series_create_cagg('samples_1d_local', 'samples_10m', INTERVAL '1 day',
                          series_day_zone());

SELECT add_continuous_aggregate_policy('samples_1d_local',
    start_offset => NULL, end_offset => INTERVAL '1 day',
    schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
