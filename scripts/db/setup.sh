#!/usr/bin/env bash
# One-shot, idempotent database set-up for a fresh Debian/Ubuntu machine:
#   1. install-postgres.sh   PostgreSQL server, headers, build tools
#   2. build-timescaledb.sh  TimescaleDB Apache-2 edition (only if missing)
#   3. start-cluster.sh      local cluster with timescaledb preloaded
#   4. create-database.sh    role + database + extension, prints DATABASE_URL
# Each step returns at once when its work is already done, so a re-run takes a
# couple of seconds. Runs as root; re-executes itself with sudo otherwise.
# All the steps' environment variables (PG_MAJOR, PGPORT, DB_USER, ...) apply.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root PG_MAJOR PG_CLUSTER PGPORT PG_START_TIMEOUT DB_USER DB_PASSWORD DB_NAME \
    TIMESCALEDB_SUITE TIMESCALEDB_VERSION TIMESCALEDB_REBUILD CO2_TSDB_CACHE_DIR APT_TIMEOUT

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HINT="Fix the error reported above and re-run $0."
start=$SECONDS
for s in install-postgres build-timescaledb start-cluster create-database; do
    STEP=$s
    t0=$SECONDS
    log "[$s] running $here/$s.sh"
    "$here/$s.sh"
    log "[$s] done in $((SECONDS - t0)) s"
done
log "Database set-up complete in $((SECONDS - start)) s"
