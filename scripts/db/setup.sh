#!/usr/bin/env bash
# One-shot, idempotent database set-up for a fresh Debian/Ubuntu machine:
#   1. install-postgres.sh   PostgreSQL server, headers, build tools
#   2. build-timescaledb.sh  TimescaleDB Apache-2 edition (only if missing)
#   3. start-cluster.sh      local cluster with timescaledb preloaded
#   4. create-database.sh    role + database + extension, prints DATABASE_URL
# Each step returns at once when its work is already done, so a re-run takes a
# couple of seconds. Runs as root; re-executes itself with sudo otherwise.
# All the steps' environment variables (PG_MAJOR, PGPORT, DB_USER, ...) apply.
set -euo pipefail

SELF=$(basename "$0")
STEP="start"
REPORTED=""
log() { printf '==> %s\n' "$*"; }
die() { REPORTED=1; printf 'ERROR: %s: %s\n' "$SELF" "$*" >&2; exit 1; }
on_exit() {
    local rc=$?
    if [[ $rc -ne 0 && -z "$REPORTED" ]]; then
        printf 'ERROR: %s: step "%s" failed (exit %s). Fix the error reported above and re-run %s.\n' \
            "$SELF" "$STEP" "$rc" "$0" >&2
    fi
}
trap on_exit EXIT

if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (sudo is not installed)"
    pass=()
    for v in PG_MAJOR PG_CLUSTER PGPORT PG_START_TIMEOUT DB_USER DB_PASSWORD DB_NAME \
        TIMESCALEDB_SUITE TIMESCALEDB_VERSION TIMESCALEDB_REBUILD CO2_TSDB_CACHE_DIR APT_TIMEOUT; do
        [[ -n "${!v:-}" ]] && pass+=("$v=${!v}")
    done
    exec sudo env "${pass[@]}" "$0" "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start=$SECONDS
for s in install-postgres build-timescaledb start-cluster create-database; do
    STEP=$s
    t0=$SECONDS
    log "[$s] running $here/$s.sh"
    "$here/$s.sh"
    log "[$s] done in $((SECONDS - t0)) s"
done
log "Database set-up complete in $((SECONDS - start)) s"
