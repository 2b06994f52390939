-- TSL edition: statement-level triggers on samples that log the (node, time range)
-- of every inserted or updated sample in alert_dirty, for the alert evaluation of the
-- jobs process (app/services/alerts/evaluate.py), which takes and deletes the entries.
-- Current definition, applied by migration 0015 and re-applied by each migration that
-- changes it (0017: the Apache edition drops these triggers).
--
-- Why a log of its own and not samples_dirty: the rollup refresh consumes that one
-- (and it exists on the Apache edition only), each at its own pace. Logged in the
-- writer's transaction, an entry is exactly as visible as its samples, so a late
-- sample is evaluated once, by the first evaluation that sees it. Cost: one INSERT ... SELECT per statement.
-- Deleted samples are not logged: an alert records what was seen.

CREATE OR REPLACE FUNCTION alerts_log_new_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO alert_dirty (node_id, lo, hi)
    SELECT n.node_id, min(n.time), max(n.time)
    FROM new_rows n
    GROUP BY n.node_id;
    RETURN NULL;
END
$$;

-- Apache edition: the series triggers (series_dirty_log.sql) log alert_dirty in the
-- same pass as samples_dirty, so a second trigger here would only double the work.
DO $$
BEGIN
    IF to_regclass('samples_dirty') IS NULL THEN  -- TSL edition
        CREATE OR REPLACE TRIGGER alerts_log_insert
            AFTER INSERT ON samples REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION alerts_log_new_rows();
        CREATE OR REPLACE TRIGGER alerts_log_update
            AFTER UPDATE ON samples REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION alerts_log_new_rows();
    ELSE
        DROP TRIGGER IF EXISTS alerts_log_insert ON samples;
        DROP TRIGGER IF EXISTS alerts_log_update ON samples;
    END IF;
END
$$;
