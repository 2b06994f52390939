#!/bin/sh
# Wait for the database, migrate when DB_MIGRATE=1, then run the given command.
set -eu
mkdir -p "${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"
rm -f "${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"/*.db
case "${DB_MIGRATE:-0}" in
  1|true|yes)
    echo "==> applying database migrations"
    tries=0
    until flask db upgrade; do
      tries=$((tries + 1))
      [ "$tries" -ge 30 ] && { echo "database not reachable after 30 tries" >&2; exit 1; }
      sleep 2
    done
    ;;
esac
exec "$@"
