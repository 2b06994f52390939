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
--
-- The same pass feeds the alert evaluation's log (alert_dirty, from migration 0015 on:
-- new and updated samples only, merged per node): one trigger per event instead of a
-- second one of alerts_dirty_log.sql, whose triggers only the TSL edition keeps.
-- Ingest paid about 30 % of its single-sample rate for the second trigger (0017).

CREATE OR REPLACE FUNCTION series_log_new_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('alert_dirty') IS NULL THEN  -- before migration 0015
        INSERT INTO samples_dirty (node_id, lo, hi)
        SELECT n.node_id, min(n.time), max(n.time)
        FROM new_rows n
        GROUP BY n.node_id, time_bucket(INTERVAL '1 day', n.time);
        RETURN NULL;
    END IF;
    WITH ranges AS (
        SELECT n.node_id, min(n.time) AS lo, max(n.time) AS hi
        FROM new_rows n
        GROUP BY n.node_id, time_bucket(INTERVAL '1 day', n.time)
    ), alerts AS (
        INSERT INTO alert_dirty (node_id, lo, hi)
        SELECT r.node_id, min(r.lo), max(r.hi) FROM ranges r GROUP BY r.node_id
    )
    INSERT INTO samples_dirty (node_id, lo, hi)
    SELECT r.node_id, r.lo, r.hi FROM ranges r;
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
    IF to_regclass('alert_dirty') IS NOT NULL THEN  -- migration 0015 on
        INSERT INTO alert_dirty (node_id, lo, hi)
        SELECT n.node_id, min(n.time), max(n.time) FROM new_rows n GROUP BY n.node_id;
    END IF;
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
