-- Apache edition: statement triggers on samples_10m that log, in samples_1d_local_dirty,
-- the local days of the 10-minute buckets series_refresh() rewrites below the local-day
-- watermark, and empty the local days when samples_10m is truncated. Current
-- definition, applied by migration 0009 after versions/0009_series_local_days.sql and
-- re-applied by each migration that changes it (CREATE OR REPLACE).

CREATE OR REPLACE FUNCTION series_local_log_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := series_day_zone();
BEGIN
    -- Days at or above the watermark need no log: the advance computes them.
    INSERT INTO samples_1d_local_dirty (node_id, day)
    SELECT DISTINCT c.node_id, time_bucket(INTERVAL '1 day', c.bucket, v_zone)
    FROM changed_rows c
    WHERE c.bucket < (SELECT w.watermark FROM samples_1d_local_watermark w)
      AND v_zone IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION series_local_forget_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE samples_1d_local, samples_1d_local_dirty;
    UPDATE samples_1d_local_watermark SET watermark = '-infinity', refreshed_at = NULL;
    RETURN NULL;
END
$$;

-- series_refresh() only inserts and deletes 10-minute buckets.
CREATE OR REPLACE TRIGGER series_local_log_insert
    AFTER INSERT ON samples_10m REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_local_log_rows();

CREATE OR REPLACE TRIGGER series_local_log_delete
    AFTER DELETE ON samples_10m REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_local_log_rows();

CREATE OR REPLACE TRIGGER series_local_forget_all
    AFTER TRUNCATE ON samples_10m
    FOR EACH STATEMENT EXECUTE FUNCTION series_local_forget_all();
