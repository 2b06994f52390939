#!/usr/bin/env bash
# Stop the local PostgreSQL cluster started by start-cluster.sh (no-op when it
# is not running or does not exist).
#
# Environment: PG_MAJOR (detected), PG_CLUSTER (main)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root PG_MAJOR PG_CLUSTER

cd /
CLUSTER=${PG_CLUSTER:-main}
CTL_OPTS=()
[[ -d /run/systemd/system ]] || CTL_OPTS+=(--skip-systemctl-redirect)

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    log "PostgreSQL is not installed: nothing to stop"
    exit 0
fi
if [[ -n "${PG_MAJOR:-}" ]]; then
    major=$PG_MAJOR
elif [[ $(dpkg-query -W -f='${db:Status-Status}' postgresql 2>/dev/null || true) == installed ]]; then
    v=$(dpkg-query -W -f='${Version}' postgresql)
    major=${v%%+*}
else
    major=$(pg_lsclusters -h | awk -v c="$CLUSTER" '$2 == c {print $1}' | sort -n | tail -n 1)
fi

status=$(pg_lsclusters -h "${major:-0}" "$CLUSTER" 2>/dev/null | awk '{print $4}')
case "$status" in
    online*)
        step "Stopping cluster $major/$CLUSTER" "Check the server log: /var/log/postgresql/postgresql-$major-$CLUSTER.log"
        timeout -k 10 120 pg_ctlcluster "${CTL_OPTS[@]}" "$major" "$CLUSTER" stop -m fast
        log "Cluster $major/$CLUSTER stopped"
        ;;
    "") log "No cluster $CLUSTER for PostgreSQL ${major:-?}: nothing to stop" ;;
    *) log "Cluster $major/$CLUSTER is not running ($status)" ;;
esac
