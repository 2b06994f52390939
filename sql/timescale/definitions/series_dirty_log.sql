-- Apache edition: statement-level triggers on samples that log the (node, time range)
-- of every inserted, updated or deleted sample in samples_dirty, and empty the rollups
-- when samples is truncated. Current definition, applied by migration 0008 after
-- versions/0008_series_rollups.sql and re-applied by each migration that changes it
-- (CREATE OR REPLACE).
-- Needs TimescaleDB >= 2.18 (transition tables on hypertables); the migration checks.
--
-- Why every write and not only late ones: a sample committed after a refresh took its
-- snapshot would otherwise be missed when that refresh advances the watermark past it.
-- Logging everything in the writer's own transaction makes the log exactly as visible as
-- the samples, so no lock is needed between ingest and refresh; series_refresh() drops
-- entries above the watermark without work. Cost: one INSERT ... SELECT per statement
-- over its transition table (about 10 us per statement, well under 1 us per row).

CREATE OR REPLACE FUNCTION series_log_new_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO samples_dirty (node_id, lo, hi)
    SELECT n.node_id, min(n.time), max(n.time)
    FROM new_rows n
    GROUP BY n.node_id, time_bucket(INTERVAL '1 day', n.time);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION series_log_old_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO samples_dirty (node_id, lo, hi)
    SELECT o.node_id, min(o.time), max(o.time)
    FROM old_rows o
    GROUP BY o.node_id, time_bucket(INTERVAL '1 day', o.time);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION series_log_changed_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO samples_dirty (node_id, lo, hi)
    SELECT c.node_id, min(c.time), max(c.time)
    FROM (SELECT o.node_id, o.time FROM old_rows o
          UNION ALL
          SELECT n.node_id, n.time FROM new_rows n) c
    GROUP BY c.node_id, time_bucket(INTERVAL '1 day', c.time);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION series_forget_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE samples_10m, samples_1h, samples_1d, samples_dirty;
    IF to_regclass('samples_1mo') IS NOT NULL THEN
        TRUNCATE samples_1mo;  -- migration 0016
    END IF;
    UPDATE samples_watermark SET watermark = '-infinity', refreshed_at = NULL;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER series_log_insert
    AFTER INSERT ON samples REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_log_new_rows();

CREATE OR REPLACE TRIGGER series_log_update
    AFTER UPDATE ON samples REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_log_changed_rows();

CREATE OR REPLACE TRIGGER series_log_delete
    AFTER DELETE ON samples REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_log_old_rows();

CREATE OR REPLACE TRIGGER series_forget_all
    AFTER TRUNCATE ON samples
    FOR EACH STATEMENT EXECUTE FUNCTION series_forget_all();
