-- Both editions: the per-node and per-installation sample tallies (node_tallies,
-- installation_tallies), kept by triggers in the writer's own transaction. Current
-- definition, applied by migration 0022 and re-applied by each migration that changes
-- it (CREATE OR REPLACE).
--
-- Why: the node and installation lists (and Managair's time-series lists) show each
-- row's sample count and newest sample. Read from the rollups plus raw edges they cost
-- 15-20 ms for 100 rows and grew with the history; a tally is one index lookup per row.
--
-- Exact: every INSERT, UPDATE, DELETE and TRUNCATE of samples (COPY included) changes
-- the tallies in the same transaction, so they are exactly as visible as the samples.
-- Writers of a node serialize on its node_tallies row, locked in node order (no
-- deadlock between two batches). An installation's tally is recounted from its samples
-- when the installation is created or its node or bounds change; the recount takes the
-- node's row lock first and counts in a later snapshot, so a concurrent sample write
-- is either counted there or adds itself afterwards, never both or neither.
-- What triggers do not see: retention's drop_chunks. The tallies keep counting what
-- it drops, as the kept aggregates do (a node's count is what it has sent, less what
-- was deleted); a recount after an installation's bounds change counts stored samples.
--
-- Windows: a node counts all its samples; an installation those in
-- [from_time, to_time], to_time included, an open one up to 2038-01-19 03:14:07 UTC
-- (the API's open end 2147483647), as app/services/series/window.py defines them.

CREATE OR REPLACE FUNCTION sample_tallies_open_end() RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT to_timestamp(2147483647) $$;

-- Lock the tally rows of these nodes in node order; create missing ones if asked
-- (not after a DELETE: a node being deleted has lost its row already, and may not
-- get a new one).
CREATE OR REPLACE FUNCTION sample_tallies_lock(nodes uuid[], create_missing boolean)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF create_missing THEN
        INSERT INTO node_tallies AS t (node_id, samples, newest)
        SELECT DISTINCT n, 0, NULL::timestamptz FROM unnest(nodes) n ORDER BY 1
        ON CONFLICT (node_id) DO UPDATE SET samples = t.samples;
    ELSE
        PERFORM 1 FROM node_tallies t WHERE t.node_id = ANY (nodes)
        ORDER BY t.node_id FOR UPDATE;
    END IF;
END
$$;

-- After an INSERT (or COPY): add the new rows. The node rows are locked, in order, by
-- the same statement that adds to them.
CREATE OR REPLACE FUNCTION sample_tallies_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO node_tallies AS t (node_id, samples, newest)
    SELECT n.node_id, count(*), max(n.time)
    FROM new_rows n GROUP BY n.node_id ORDER BY n.node_id
    ON CONFLICT (node_id) DO UPDATE
    SET samples = t.samples + excluded.samples,
        newest = greatest(t.newest, excluded.newest);
    -- A later statement: installations committed while this waited for the lock are
    -- seen (their recount did not see these samples).
    INSERT INTO installation_tallies AS t (installation_id, samples, newest)
    SELECT i.id, count(*), max(n.time)
    FROM new_rows n
    JOIN installations i
      ON i.node_id = n.node_id AND n.time >= i.from_time
     AND n.time <= coalesce(i.to_time, sample_tallies_open_end())
    GROUP BY i.id
    ORDER BY i.id
    ON CONFLICT (installation_id) DO UPDATE
    SET samples = t.samples + excluded.samples,
        newest = greatest(t.newest, excluded.newest);
    RETURN NULL;
END
$$;

-- After a DELETE (old_rows) or an UPDATE (old_rows and new_rows): subtract the old
-- rows, add the new ones; a newest sample that went away is looked up again (after the
-- statement, so the lookup sees what it left). Every installation has its tally row
-- (created with it), so an UPDATE is enough. The statements are built around one text
-- for the changed rows: the transition tables (Apache edition) or, with the argument
-- 'log', the rows sample_tallies_log_row() wrote for this statement (TSL edition:
-- TimescaleDB refuses DELETE transition tables on a hypertable with compression).
CREATE OR REPLACE FUNCTION sample_tallies_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed text := 'SELECT o.node_id, o.time, -1 AS sign FROM old_rows o';
    logged boolean := TG_NARGS > 0 AND TG_ARGV[0] = 'log';
BEGIN
    IF logged THEN
        changed := 'SELECT l.node_id, l.time, l.sign FROM sample_tally_log l';
    ELSIF TG_OP = 'UPDATE' THEN
        changed := changed || ' UNION ALL SELECT n.node_id, n.time, 1 FROM new_rows n';
    END IF;
    EXECUTE format(
        'SELECT sample_tallies_lock(ARRAY(SELECT DISTINCT d.node_id FROM (%s) d), $1)',
        changed) USING TG_OP = 'UPDATE';
    EXECUTE format($sql$
        UPDATE node_tallies t
        SET samples = t.samples + a.n,
            newest = CASE
                WHEN a.gone >= t.newest THEN (
                    SELECT s.time FROM samples s WHERE s.node_id = t.node_id
                    ORDER BY s.time DESC LIMIT 1)
                WHEN t.newest IS NULL OR a.hi > t.newest THEN a.hi
                ELSE t.newest END
        FROM (SELECT d.node_id, sum(d.sign) AS n,
                     max(d.time) FILTER (WHERE d.sign < 0) AS gone,
                     max(d.time) FILTER (WHERE d.sign > 0) AS hi
              FROM (%s) d GROUP BY d.node_id) a
        WHERE t.node_id = a.node_id
        $sql$, changed);
    EXECUTE format($sql$
        UPDATE installation_tallies t
        SET samples = t.samples + a.n,
            newest = CASE
                WHEN a.gone >= t.newest THEN (
                    SELECT s.time FROM samples s
                    WHERE s.node_id = a.node_id AND s.time >= a.from_time
                      AND s.time <= a.to_time
                    ORDER BY s.time DESC LIMIT 1)
                WHEN t.newest IS NULL OR a.hi > t.newest THEN a.hi
                ELSE t.newest END
        FROM (SELECT i.id, i.node_id, i.from_time,
                     coalesce(i.to_time, sample_tallies_open_end()) AS to_time,
                     sum(d.sign) AS n,
                     max(d.time) FILTER (WHERE d.sign < 0) AS gone,
                     max(d.time) FILTER (WHERE d.sign > 0) AS hi
              FROM (%s) d
              JOIN installations i
                ON i.node_id = d.node_id AND d.time >= i.from_time
               AND d.time <= coalesce(i.to_time, sample_tallies_open_end())
              GROUP BY i.id) a
        WHERE t.installation_id = a.id
        $sql$, changed);
    IF logged THEN
        DELETE FROM sample_tally_log;  -- only this transaction's rows exist
    END IF;
    RETURN NULL;
END
$$;

-- TSL edition: each deleted or updated sample, logged for the statement's
-- sample_tallies_change('log'), which runs after every row trigger of the statement.
CREATE OR REPLACE FUNCTION sample_tallies_log_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sample_tally_log (node_id, time, sign) VALUES (OLD.node_id, OLD.time, -1);
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO sample_tally_log (node_id, time, sign) VALUES (NEW.node_id, NEW.time, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION sample_tallies_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE node_tallies SET samples = 0, newest = NULL WHERE samples <> 0;
    UPDATE installation_tallies SET samples = 0, newest = NULL WHERE samples <> 0;
    RETURN NULL;
END
$$;

-- An installation created, or moved to another node or other bounds: count its window.
CREATE OR REPLACE FUNCTION installation_tally_recount() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    found_count bigint;
    found_newest timestamptz;
BEGIN
    PERFORM sample_tallies_lock(ARRAY[NEW.node_id], true);
    -- Dynamic, so each recount is planned with its bounds (chunks outside excluded).
    EXECUTE 'SELECT count(*), max(s.time) FROM samples s '
            'WHERE s.node_id = $1 AND s.time >= $2 AND s.time <= $3'
        INTO found_count, found_newest
        USING NEW.node_id, NEW.from_time, coalesce(NEW.to_time, sample_tallies_open_end());
    INSERT INTO installation_tallies AS t (installation_id, samples, newest)
    VALUES (NEW.id, found_count, found_newest)
    ON CONFLICT (installation_id) DO UPDATE
    SET samples = excluded.samples, newest = excluded.newest;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER samples_tally_insert
    AFTER INSERT ON samples REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sample_tallies_add();

DO $$
BEGIN
    IF to_regclass('samples_dirty') IS NOT NULL THEN  -- Apache edition
        CREATE OR REPLACE TRIGGER samples_tally_update
            AFTER UPDATE ON samples REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION sample_tallies_change();
        CREATE OR REPLACE TRIGGER samples_tally_delete
            AFTER DELETE ON samples REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION sample_tallies_change();
    ELSE
        CREATE OR REPLACE TRIGGER samples_tally_log_row
            AFTER UPDATE OR DELETE ON samples
            FOR EACH ROW EXECUTE FUNCTION sample_tallies_log_row();
        CREATE OR REPLACE TRIGGER samples_tally_update_logged
            AFTER UPDATE ON samples
            FOR EACH STATEMENT EXECUTE FUNCTION sample_tallies_change('log');
        CREATE OR REPLACE TRIGGER samples_tally_delete_logged
            AFTER DELETE ON samples
            FOR EACH STATEMENT EXECUTE FUNCTION sample_tallies_change('log');
    END IF;
END
$$;

CREATE OR REPLACE TRIGGER samples_tally_truncate
    AFTER TRUNCATE ON samples
    FOR EACH STATEMENT EXECUTE FUNCTION sample_tallies_forget();

CREATE OR REPLACE TRIGGER installations_tally_count
    AFTER INSERT ON installations
    FOR EACH ROW EXECUTE FUNCTION installation_tally_recount();

-- Only a real change recounts (an import's upsert sets every column each run).
CREATE OR REPLACE TRIGGER installations_tally_recount
    AFTER UPDATE OF node_id, from_time, to_time ON installations
    FOR EACH ROW
    WHEN (OLD.node_id IS DISTINCT FROM NEW.node_id
          OR OLD.from_time IS DISTINCT FROM NEW.from_time
          OR OLD.to_time IS DISTINCT FROM NEW.to_time)
    EXECUTE FUNCTION installation_tally_recount();
