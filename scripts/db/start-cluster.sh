#!/usr/bin/env bash
# Ensure a local PostgreSQL cluster (Debian cluster tooling) is running with
# TimescaleDB preloaded, telemetry off, listening on 127.0.0.1:$PGPORT and
# accepting password (scram-sha-256) logins over TCP from localhost.
#
# Environment:
#   PG_MAJOR            PostgreSQL major version (default: detected)
#   PG_CLUSTER          cluster name (default: main)
#   PGPORT              port (default: 5432)
#   PG_START_TIMEOUT    seconds to wait for the server to accept connections (default: 60)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root PG_MAJOR PG_CLUSTER PGPORT PG_START_TIMEOUT

cd /   # commands run as postgres must not start in a folder it cannot read
CLUSTER=${PG_CLUSTER:-main}
PORT=${PGPORT:-5432}
START_TIMEOUT=${PG_START_TIMEOUT:-60}
CTL_OPTS=()
# Without a running systemd, pg_ctlcluster must not redirect to systemctl.
[[ -d /run/systemd/system ]] || CTL_OPTS+=(--skip-systemctl-redirect)

step "Locating PostgreSQL and TimescaleDB" \
    "Run scripts/db/install-postgres.sh and scripts/db/build-timescaledb.sh first (or set PG_MAJOR)."
major=$(pg_major postgres)
[[ -n "$major" && -x /usr/lib/postgresql/$major/bin/postgres ]] \
    || die "PostgreSQL ${major:-?} is not installed; run scripts/db/install-postgres.sh"
command -v pg_lsclusters >/dev/null || die "pg_lsclusters not found; install postgresql-common"
pkglibdir=/usr/lib/postgresql/$major/lib
[[ -f "$pkglibdir/timescaledb.so" ]] \
    || die "TimescaleDB is not installed for PostgreSQL $major; run scripts/db/build-timescaledb.sh"

cluster_field() {   # $1 = column number of `pg_lsclusters -h` (4 status, 7 log file)
    pg_lsclusters -h "$major" "$CLUSTER" 2>/dev/null | awk -v c="$1" '{print $c}'
}

if [[ -z "$(pg_lsclusters -h "$major" "$CLUSTER" 2>/dev/null)" ]]; then
    step "Creating cluster $major/$CLUSTER on port $PORT" \
        "See the pg_createcluster output above (it runs initdb as the postgres user)."
    # pg_createcluster runs initdb as the cluster owner (postgres), never as root.
    pg_createcluster --port "$PORT" --locale C.UTF-8 --encoding UTF8 "$major" "$CLUSTER" -- \
        --auth-local=peer --auth-host=scram-sha-256
fi

conf_dir=/etc/postgresql/$major/$CLUSTER
conf_file=$conf_dir/postgresql.conf
hba_file=$conf_dir/pg_hba.conf
dropin=$conf_dir/conf.d/50-co2-timescaledb.conf
[[ -f "$conf_file" && -f "$hba_file" ]] || die "$conf_file or $hba_file is missing"

step "Checking $dropin" "Check $conf_dir (permissions, disk space)."
if ! grep -Eq "^[[:space:]]*include_dir[[:space:]]*=?[[:space:]]*'conf\.d'" "$conf_file"; then
    printf "\n# added by scripts/db/start-cluster.sh\ninclude_dir = 'conf.d'\n" >>"$conf_file"
fi
mkdir -p "$conf_dir/conf.d"
# Keep libraries another setting in postgresql.conf already preloads.
preload=$(sed -n "s/^[[:space:]]*shared_preload_libraries[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" \
    "$conf_file" | tail -n 1 | tr -d ' ')
libs=timescaledb
IFS=, read -r -a existing <<<"$preload"
for lib in "${existing[@]}"; do
    [[ -n "$lib" && "$lib" != timescaledb ]] && libs+=",$lib"
done
new_conf=$(cat <<EOF
# Managed by scripts/db/start-cluster.sh: local TimescaleDB server for the CO2 backend.
shared_preload_libraries = '$libs'
timescaledb.telemetry_level = off
listen_addresses = '127.0.0.1'
port = $PORT
password_encryption = 'scram-sha-256'
EOF
)
conf_changed=""
if [[ ! -f "$dropin" ]] || [[ "$(cat "$dropin")" != "$new_conf" ]]; then
    printf '%s\n' "$new_conf" >"$dropin"
    chown postgres:postgres "$dropin"
    conf_changed=1
    log "Configuration updated"
fi

# TCP from localhost must use password auth: the first matching rule wins, so
# put ours first unless the first 127.0.0.1 rule already asks for a password.
hba_changed=""
first_method=$(awk '$1 == "host" && $2 == "all" && $3 == "all" && $4 == "127.0.0.1/32" {print $5; exit}' "$hba_file")
if [[ "$first_method" != scram-sha-256 && "$first_method" != md5 ]]; then
    step "Adding a scram-sha-256 rule for 127.0.0.1 to $hba_file" "Check $hba_file."
    tmp=$(mktemp)
    {
        echo "# added by scripts/db/start-cluster.sh: password logins over TCP from localhost"
        echo "host    all             all             127.0.0.1/32            scram-sha-256"
        cat "$hba_file"
    } >"$tmp"
    cat "$tmp" >"$hba_file"
    rm -f "$tmp"
    hba_changed=1
fi

log_file=$(cluster_field 7)
fail_with_log() {
    REPORTED=1
    printf 'ERROR: %s: %s: %s\n' "$SELF" "$STEP" "$1" >&2
    if [[ -n "$log_file" && -f "$log_file" ]]; then
        printf -- '--- last lines of %s ---\n' "$log_file" >&2
        tail -n 25 "$log_file" >&2
    fi
    exit 1
}

psql_su() { runuser -u postgres -- psql -X -q -A -t -p "$PORT" -d postgres "$@"; }

status=$(cluster_field 4)
if [[ "$status" == online ]]; then
    running_preload=$(psql_su -c 'SHOW shared_preload_libraries' 2>/dev/null || true)
    running_port=$(psql_su -c 'SHOW port' 2>/dev/null || true)
    if [[ -n "$conf_changed" || "$running_preload" != *timescaledb* || "$running_port" != "$PORT" ]]; then
        step "Restarting cluster $major/$CLUSTER to apply the configuration" \
            "Check the server log: $log_file"
        timeout -k 10 120 pg_ctlcluster "${CTL_OPTS[@]}" "$major" "$CLUSTER" restart \
            || fail_with_log "pg_ctlcluster restart failed"
    elif [[ -n "$hba_changed" ]]; then
        step "Reloading cluster $major/$CLUSTER" "Check the server log: $log_file"
        timeout -k 10 60 pg_ctlcluster "${CTL_OPTS[@]}" "$major" "$CLUSTER" reload \
            || fail_with_log "pg_ctlcluster reload failed"
    else
        log "Cluster $major/$CLUSTER is already running with TimescaleDB preloaded"
    fi
else
    step "Starting cluster $major/$CLUSTER" "Check the server log: $log_file"
    timeout -k 10 120 pg_ctlcluster "${CTL_OPTS[@]}" "$major" "$CLUSTER" start \
        || fail_with_log "pg_ctlcluster start failed"
fi

step "Waiting for 127.0.0.1:$PORT to accept connections" "Check the server log: $log_file"
deadline=$((SECONDS + START_TIMEOUT))
until pg_isready -q -h 127.0.0.1 -p "$PORT" -t 2; do
    ((SECONDS < deadline)) || fail_with_log "PostgreSQL did not accept connections on 127.0.0.1:$PORT within ${START_TIMEOUT}s"
    sleep 0.5
done
preload_now=$(psql_su -c 'SHOW shared_preload_libraries')
[[ "$preload_now" == *timescaledb* ]] || fail_with_log "the server runs without timescaledb in shared_preload_libraries ($preload_now)"
log "PostgreSQL $major/$CLUSTER is running on 127.0.0.1:$PORT (shared_preload_libraries = '$preload_now')"
