# shellcheck shell=bash
# The shared preamble of scripts/db/*.sh, sourced first by each of them:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Strict mode; `log`, `step` (names the step and a hint for when it fails) and
# `die`; an exit trap that names the failed step; `as_root` (re-run the script
# with sudo, passing on the named environment variables); `pg_major` (the
# PostgreSQL major version to work with). One copy, so that every script
# reports a failure the same way.
set -euo pipefail

SELF=$(basename "$0")
STEP="start"
HINT=""
REPORTED=""
# Sourced without arguments, this file sees the script's own.
SCRIPT_ARGS=("$@")

log() { printf '==> %s\n' "$*"; }
step() { STEP=$1; HINT=${2:-}; log "$1"; }
die() { REPORTED=1; printf 'ERROR: %s: %s: %s\n' "$SELF" "$STEP" "$*" >&2; exit 1; }
on_exit() {
    local rc=$?
    if [[ $rc -ne 0 && -z "$REPORTED" ]]; then
        printf 'ERROR: %s: step "%s" failed (exit %s). %s\n' "$SELF" "$STEP" "$rc" \
            "${HINT:-See the messages above.}" >&2
    fi
}
trap on_exit EXIT

# as_root VAR...: unless root already, re-run this script with sudo, keeping
# the named environment variables (sudo drops the rest).
as_root() {
    [[ $(id -u) -eq 0 ]] && return 0
    command -v sudo >/dev/null 2>&1 || die "must run as root (sudo is not installed)"
    local v pass=()
    for v in "$@"; do
        [[ -n "${!v:-}" ]] && pass+=("$v=${!v}")
    done
    exec sudo env "${pass[@]}" "$0" "${SCRIPT_ARGS[@]}"
}

# pg_major BINARY: $PG_MAJOR, else the version of the distribution's
# `postgresql` package, else the newest /usr/lib/postgresql/*/bin/BINARY;
# empty when none is installed.
pg_major() {
    local v
    if [[ -n "${PG_MAJOR:-}" ]]; then
        printf '%s\n' "$PG_MAJOR"
    elif [[ $(dpkg-query -W -f='${db:Status-Status}' postgresql 2>/dev/null || true) == installed ]]; then
        v=$(dpkg-query -W -f='${Version}' postgresql)
        printf '%s\n' "${v%%+*}"
    else
        find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path "*/bin/$1" 2>/dev/null \
            | awk -F/ '{print $5}' | sort -n | tail -n 1
    fi
}
