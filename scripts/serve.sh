#!/usr/bin/env bash
# Serve the web app (gunicorn) and the jobs process side by side, as `make run` does.
# Ctrl-C (or SIGTERM) stops both; if either one exits, the other is stopped too.
# Settings come from the environment (DATABASE_URL, SECRET_KEY[_FILE], ...);
# NODE_FIDELITY defaults to 1 here so the demo shows node liveness.
set -uo pipefail

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-2}
export FLASK_APP=${FLASK_APP:-wsgi:app}
export NODE_FIDELITY=${NODE_FIDELITY:-1}

# gunicorn workers share Prometheus metrics through this folder (see gunicorn.conf.py).
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

"$BIN/flask" jobs run &
jobs_pid=$!
BIND="$HOST:$PORT" WEB_WORKERS="$WORKERS" "$BIN/gunicorn" -c gunicorn.conf.py wsgi:app &
web_pid=$!

stop() {
    trap - INT TERM
    kill -TERM "$web_pid" "$jobs_pid" 2>/dev/null
    wait "$web_pid" 2>/dev/null
    wait "$jobs_pid" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

wait -n "$web_pid" "$jobs_pid"
status=$?
echo "serve: a process ended (status $status); stopping the other" >&2
stop
exit "$status"
