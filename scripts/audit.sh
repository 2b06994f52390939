#!/usr/bin/env bash
# `make audit`: pip-audit on the locked runtime dependencies (requirements.lock).
# Needs a vulnerability service (PyPI's JSON API by default, or OSV with
# AUDIT_SERVICE=osv). When the service cannot be reached, or cannot answer for a
# package, this says so and fails: an audit that did not happen never passes.
set -uo pipefail
BIN=${BIN:-.venv/bin}
SERVICE=${AUDIT_SERVICE:-pypi}
out=$("$BIN/pip-audit" --requirement requirements.lock --no-deps --strict \
        --vulnerability-service "$SERVICE" --progress-spinner off 2>&1)
status=$?
printf '%s\n' "$out" | grep -v -e '--no-deps is supported' -e 'Consider using a tool like'
if [ "$status" -eq 0 ]; then
    echo "audit: no known vulnerabilities in requirements.lock ($SERVICE)"
    exit 0
fi
if printf '%s\n' "$out" | grep -q -E 'could not be audited|ConnectionError|Max retries|Name or service not known|timed out'; then
    echo "audit: NOT DONE: the vulnerability service ($SERVICE) is unreachable from this" \
         "machine or does not know the packages; run 'make audit' where it is reachable" \
         "(AUDIT_SERVICE=osv uses api.osv.dev)" >&2
    exit 2
fi
echo "audit: known vulnerabilities in requirements.lock (see above)" >&2
exit 1
