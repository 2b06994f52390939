-- Only the application's own roles may connect to its database (migration 0013).
--
-- PostgreSQL grants CONNECT on every database to PUBLIC, so every login role of the
-- cluster could connect here: an analyst role of another deployment on the same
-- server, say. This revokes PUBLIC's CONNECT; the owner (the application role) keeps
-- its own, and every analyst role of this database gets one explicitly (flask
-- analysts create-role grants it to new ones). Any other role that must connect (a
-- monitoring role, a replica reader of another name) needs a GRANT CONNECT of its own.
--
-- Only the database's owner may revoke: run by another role, this warns and changes
-- nothing, and says what the owner has to run.
DO $$
DECLARE
    db text := current_database();
    analyst text;
BEGIN
    -- A template database is copied, never served: leave it as it is (PGlite,
    -- the TSL test server, runs everything in template1, where a REVOKE fails).
    IF (SELECT datistemplate FROM pg_catalog.pg_database WHERE datname = db) THEN
        RETURN;
    END IF;
    IF NOT pg_has_role(
        current_user,
        (SELECT datdba FROM pg_catalog.pg_database WHERE datname = db),
        'USAGE'
    ) THEN
        RAISE WARNING 'CONNECT on database % stays granted to PUBLIC: only its owner may revoke it', db
            USING HINT = format('As the owner run: REVOKE CONNECT ON DATABASE %I FROM PUBLIC, '
                                'and GRANT CONNECT to the roles that need it.', db);
        RETURN;
    END IF;
    FOR analyst IN
        SELECT r.role_name FROM analyst_roles r
        JOIN pg_catalog.pg_roles p ON p.rolname = r.role_name
    LOOP
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', db, analyst);
    END LOOP;
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', db);
END
$$;
