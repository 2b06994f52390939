-- Both editions: the samples -> nodes reference, kept by statement-level triggers
-- instead of the foreign key fk_samples_node_id_nodes. Current definition, applied by
-- migration 0010 (which then drops the key) and re-applied by each migration that
-- changes it (CREATE OR REPLACE).
--
-- Why: a foreign key checks every inserted row with its own lookup of the node (one
-- SPI query per row). A batch of 50,000 samples spent 360 of its 520 ms in those
-- checks. These triggers check a whole statement at once, by its distinct nodes:
-- the same batch takes about 170 ms.
--
-- Same guarantees as the foreign key (ON DELETE CASCADE, ON UPDATE NO ACTION):
--  * an insert or update naming a node that does not exist fails with SQLSTATE 23503
--    and the constraint name fk_samples_node_id_nodes, as before;
--  * the nodes of a statement are locked FOR KEY SHARE until it commits, so a node
--    cannot be deleted under samples being written for it, and a write waits for a
--    delete in flight (and then fails if the delete committed);
--  * deleting (or truncating) nodes deletes their samples; changing the id of a node
--    that has samples fails.

CREATE OR REPLACE FUNCTION samples_check_nodes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing uuid;
BEGIN
    -- One index lookup and lock per distinct node. (A CTE with NOT IN cost a single
    -- sample 40 us more; this costs about what an empty trigger does.)
    SELECT w.node_id INTO missing
    FROM (SELECT DISTINCT r.node_id FROM new_rows r) w
    LEFT JOIN LATERAL (
        SELECT n.id FROM nodes n WHERE n.id = w.node_id FOR KEY SHARE OF n
    ) p ON true
    WHERE p.id IS NULL
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "samples" violates foreign key constraint "fk_samples_node_id_nodes"'
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = 'fk_samples_node_id_nodes',
                  TABLE = 'samples',
                  DETAIL = format('Key (node_id)=(%s) is not present in table "nodes".', missing);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION samples_delete_of_nodes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM samples s WHERE s.node_id IN (SELECT o.id FROM old_nodes o);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION samples_truncate_of_nodes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE samples;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION samples_keep_node_ids() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM samples s WHERE s.node_id = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "nodes" violates foreign key constraint "fk_samples_node_id_nodes" on table "samples"'
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = 'fk_samples_node_id_nodes',
                  TABLE = 'nodes',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "samples".', OLD.id);
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER samples_check_nodes_insert
    AFTER INSERT ON samples REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION samples_check_nodes();

CREATE OR REPLACE TRIGGER samples_check_nodes_update
    AFTER UPDATE ON samples REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION samples_check_nodes();

CREATE OR REPLACE TRIGGER samples_delete_of_nodes
    AFTER DELETE ON nodes REFERENCING OLD TABLE AS old_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION samples_delete_of_nodes();

CREATE OR REPLACE TRIGGER samples_truncate_of_nodes
    AFTER TRUNCATE ON nodes
    FOR EACH STATEMENT EXECUTE FUNCTION samples_truncate_of_nodes();

CREATE OR REPLACE TRIGGER samples_keep_node_ids
    BEFORE UPDATE OF id ON nodes
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION samples_keep_node_ids();
