#!/usr/bin/env bash
# Create (idempotently) the application's login role and database, with the
# timescaledb extension, on the local cluster started by start-cluster.sh.
#
# The role gets LOGIN CREATEDB CREATEROLE but not SUPERUSER: the test suite
# creates throwaway databases (and, later, analyst roles) with it.
#
# TimescaleDB in throwaway databases: timescaledb.control says
# `trusted = true`, so since PostgreSQL 13 any role with CREATE privilege on a
# database (its owner, here) may run `CREATE EXTENSION timescaledb` there
# without being superuser. So nothing more is needed, and we deliberately do
# NOT install the extension into template1: TimescaleDB's background-worker
# scheduler would then keep a connection open to template1 and every
# `CREATE DATABASE` (which copies template1) could fail with "source database
# template1 is being accessed by other users". This script checks that the
# control file still says `trusted = true` and fails loudly otherwise.
#
# Environment:
#   DB_USER (co2), DB_PASSWORD (co2), DB_NAME (co2), PGPORT (5432),
#   PG_MAJOR (detected)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root PG_MAJOR PGPORT DB_USER DB_PASSWORD DB_NAME

cd /   # commands run as postgres must not start in a folder it cannot read
DB_USER=${DB_USER:-co2}
DB_PASSWORD=${DB_PASSWORD:-co2}
DB_NAME=${DB_NAME:-co2}
PORT=${PGPORT:-5432}

# SQL literal / identifier quoting (standard_conforming_strings is on).
sql_lit() { local s=${1//\'/\'\'}; printf "'%s'" "$s"; }
sql_ident() { local s=${1//\"/\"\"}; printf '"%s"' "$s"; }
# Run SQL from stdin as the superuser postgres over the local socket (peer
# auth). SQL goes through stdin so that the password never shows up in `ps`.
psql_su() { runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -p "$PORT" "$@"; }

[[ "$DB_USER" != postgres ]] || die "DB_USER must not be the superuser 'postgres'"

step "Checking that PostgreSQL answers on port $PORT" "Run scripts/db/start-cluster.sh first."
pg_isready -q -h 127.0.0.1 -p "$PORT" -t 5 || die "no server on 127.0.0.1:$PORT; run scripts/db/start-cluster.sh"

step "Checking that timescaledb is a trusted extension" \
    "The installed TimescaleDB is not trusted: the app role cannot create it in new databases."
trusted=$(psql_su -d postgres -c "SELECT trusted FROM pg_available_extension_versions
    WHERE name = 'timescaledb' AND version = (SELECT default_version FROM pg_available_extensions
                                              WHERE name = 'timescaledb')")
[[ -n "$trusted" ]] || die "timescaledb is not available to the server; run scripts/db/build-timescaledb.sh"
[[ "$trusted" == t ]] || die "timescaledb.control lacks 'trusted = true' (see the comment at the top of $SELF)"

step "Creating/updating role $DB_USER" "Check the PostgreSQL messages above."
u_lit=$(sql_lit "$DB_USER")
u_id=$(sql_ident "$DB_USER")
psql_su -d postgres <<SQL
SELECT format('CREATE ROLE %I', $u_lit) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = $u_lit)
\\gexec
ALTER ROLE $u_id WITH LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD $(sql_lit "$DB_PASSWORD");
-- Throwaway test databases are dropped WITH (FORCE), which must be able to end
-- sessions of other (analyst, jobs) roles still connected to them.
GRANT pg_signal_backend TO $u_id;
SQL

step "Creating database $DB_NAME owned by $DB_USER" "Check the PostgreSQL messages above."
d_lit=$(sql_lit "$DB_NAME")
d_id=$(sql_ident "$DB_NAME")
psql_su -d postgres <<SQL
SELECT format('CREATE DATABASE %I OWNER %I', $d_lit, $u_lit)
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = $d_lit)
\\gexec
ALTER DATABASE $d_id OWNER TO $u_id;
SQL

# PostgreSQL grants CONNECT on every database to PUBLIC: any login role, analyst
# roles included (flask analysts create-role), could connect to postgres and
# template1. Only the application role needs postgres (it creates throwaway test
# databases from there); template1 is copied by CREATE DATABASE, never connected
# to. The application's own database is closed by its migrations (0013).
step "Closing postgres and template1 to roles that do not need them" "Check the PostgreSQL messages above."
psql_su -d postgres <<SQL
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT ON DATABASE postgres TO $u_id;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
SQL

step "Creating the timescaledb extension in $DB_NAME" \
    "Check that the server preloads timescaledb (scripts/db/start-cluster.sh)."
psql_su -d "$DB_NAME" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS timescaledb;
SQL
ext_version=$(psql_su -d "$DB_NAME" -c "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
license=$(psql_su -d "$DB_NAME" -c 'SHOW timescaledb.license')
log "Role $DB_USER and database $DB_NAME ready (timescaledb $ext_version, license $license)"

# Percent-encode the URL parts (identity for the plain defaults).
urlenc() {
    python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1" 2>/dev/null \
        || printf '%s\n' "$1"
}
log "DATABASE_URL=postgresql+psycopg://$(urlenc "$DB_USER"):$(urlenc "$DB_PASSWORD")@127.0.0.1:$PORT/$(urlenc "$DB_NAME")"
